import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import { type Argon2Cost, argon2HashTimer, calibrateArgon2 } from '../hash/calibrate.js';
import { ARGON2_DEFAULTS, parseByteSize } from '../hash/index.js';
import { parseDuration } from '../kernel/duration.js';
import { EXIT_USAGE } from './exit-codes.js';

interface CalibrateOptions {
  memory: number;
  iterations: number;
  parallelism: number;
  adjustMemory?: boolean;
  maxMemory: number;
  runs: number;
  format: 'yaml' | 'json';
  quiet?: boolean;
}

/** `portcullis hashers argon2 calibrate <duration>`, as `kratos hashers argon2 calibrate`. */
export function hashersCommand(): Command {
  const hashers = new Command('hashers').description('Tools for the password hashers');
  const argon2 = new Command('argon2').description('The argon2id hasher');
  argon2.addCommand(
    new Command('calibrate')
      .description(
        'Find argon2id parameters whose hash takes about <requested-duration> on this machine, and print ' +
          'them as a hashers config block. Run it on the machine (and under the load) that will serve logins.',
      )
      .argument('<requested-duration>', 'e.g. 500ms or 1s', durationArgument)
      .option(
        '--memory <size>',
        'memory to start from (e.g. 19MB, 64MB)',
        kibArgument,
        kib(ARGON2_DEFAULTS.memory),
      )
      .option('--iterations <n>', 'iterations to start from', positiveInteger, 1)
      .option(
        '--parallelism <n>',
        'lanes (Kratos defaults to twice the CPUs)',
        positiveInteger,
        ARGON2_DEFAULTS.parallelism,
      )
      .option('--adjust-memory', 'tune memory and keep the iterations, instead of the reverse')
      .option(
        '--max-memory <size>',
        'the most memory a hash may take when tuning memory',
        kibArgument,
        kib('1GB'),
      )
      .option('--runs <n>', 'hashes per measurement (the median counts)', positiveInteger, 3)
      .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
      .option('-q, --quiet', 'print only the result')
      .action(async (targetMs: number, options: CalibrateOptions) => {
        if (options.parallelism * 8 > options.memory) {
          console.error(
            'hashers argon2 calibrate: --memory must be at least 8 KB per lane of --parallelism.',
          );
          process.exit(EXIT_USAGE);
        }
        const start: Argon2Cost = {
          memoryKiB: options.memory,
          iterations: options.iterations,
          parallelism: options.parallelism,
        };
        const result = await calibrateArgon2(targetMs, argon2HashTimer(options.runs), {
          start,
          adjust: options.adjustMemory ? 'memory' : 'iterations',
          maxMemoryKiB: Math.max(options.maxMemory, options.memory),
          onMeasure: options.quiet
            ? undefined
            : (cost, ms) =>
                console.error(
                  `memory ${formatKiB(cost.memoryKiB)}, iterations ${cost.iterations}, parallelism ${cost.parallelism}: ${ms.toFixed(1)} ms`,
                ),
        });
        if (!options.quiet) {
          console.error(
            `Closest to ${targetMs} ms: ${result.measuredMs.toFixed(1)} ms per hash on ${availableParallelism()} cores.`,
          );
        }
        const config = {
          hashers: {
            algorithm: 'argon2',
            argon2: {
              memory: formatKiB(result.cost.memoryKiB),
              iterations: result.cost.iterations,
              parallelism: result.cost.parallelism,
              salt_length: ARGON2_DEFAULTS.salt_length,
              key_length: ARGON2_DEFAULTS.key_length,
            },
          },
        };
        process.stdout.write(
          options.format === 'json' ? `${JSON.stringify(config, null, 2)}\n` : stringify(config),
        );
      }),
  );
  hashers.addCommand(argon2);
  return hashers;
}

/** Kratos's units: KB = 1024 B, MB = 1024 KB. */
function formatKiB(kiB: number): string {
  return kiB % 1024 === 0 ? `${kiB / 1024}MB` : `${kiB}KB`;
}

function kib(size: string): number {
  return Math.ceil((parseByteSize(size) ?? 0) / 1024);
}

function kibArgument(value: string): number {
  const bytes = parseByteSize(value);
  if (bytes === undefined || bytes < 1024) throw new InvalidArgumentError('expected a size such as 64MB.');
  return Math.ceil(bytes / 1024);
}

function durationArgument(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('expected a duration such as 500ms or 1s.');
  return ms;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}
