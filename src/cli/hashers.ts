import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import { type Argon2Cost, argon2HashTimer, calibrateArgon2 } from '../hash/calibrate.js';
import { ARGON2_DEFAULTS, parseByteSize } from '../hash/index.js';
import { parseDuration } from '../kernel/duration.js';
import { EXIT_USAGE } from './exit-codes.js';

interface CalibrateOptions {
  memory: number;
  startMemory?: number;
  iterations: number;
  startIterations?: number;
  parallelism: number;
  adjustMemory?: boolean;
  maxMemory: number;
  runs: number;
  probeRuns?: number;
  format: 'yaml' | 'json';
  quiet?: boolean;
}

/**
 * `portcullis hashers argon2 calibrate <duration>`: Kratos's `hashers argon2 calibrate` reworked to
 * take the target duration (Kratos takes requests per minute and runs a load test; see the help).
 */
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
      .addOption(
        new Option('--memory <size>', 'memory to start from, with a unit: 19MB, 64MB, 1GB (KB = 1024 bytes)')
          .argParser(kibArgument)
          .default(kib(ARGON2_DEFAULTS.memory), ARGON2_DEFAULTS.memory),
      )
      .addOption(
        new Option('-m, --start-memory <size>', 'Kratos’s name for --memory')
          .argParser(kibArgument)
          .conflicts('memory'),
      )
      .option('--iterations <n>', 'iterations to start from', positiveInteger, 1)
      .addOption(
        new Option('-i, --start-iterations <n>', 'Kratos’s name for --iterations')
          .argParser(positiveInteger)
          .conflicts('iterations'),
      )
      .option(
        '--parallelism <n>',
        'lanes (Kratos defaults to twice the CPUs)',
        positiveInteger,
        ARGON2_DEFAULTS.parallelism,
      )
      .option('--adjust-memory', 'tune memory and keep the iterations, instead of the reverse')
      .addOption(
        new Option('--max-memory <size>', 'the most memory a hash may take when tuning memory')
          .argParser(kibArgument)
          .default(kib(MAX_MEMORY), MAX_MEMORY),
      )
      .option('--runs <n>', 'hashes per measurement (the median counts)', positiveInteger, 3)
      .addOption(
        new Option('-r, --probe-runs <n>', 'Kratos’s name for --runs')
          .argParser(positiveInteger)
          .conflicts('runs'),
      )
      .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
      .option('-q, --quiet', 'print only the result')
      .addHelpText(
        'after',
        [
          '',
          'Kratos’s `hashers argon2 calibrate <requests-per-minute>` does the same job differently: it aims at',
          'hashers.argon2.minimal_duration and then runs a load test. This command takes the duration to aim at',
          'instead and runs no load test. Kratos’s --start-memory/-m, --start-iterations/-i and --probe-runs/-r',
          'are accepted; --adjust-memory-by and --max-concurrent are not.',
        ].join('\n'),
      )
      .action(async (targetMs: number, options: CalibrateOptions) => {
        const memory = options.startMemory ?? options.memory;
        if (options.parallelism * 8 > memory) {
          console.error(
            'hashers argon2 calibrate: --memory must be at least 8 KB per lane of --parallelism.',
          );
          process.exit(EXIT_USAGE);
        }
        const start: Argon2Cost = {
          memoryKiB: memory,
          iterations: options.startIterations ?? options.iterations,
          parallelism: options.parallelism,
        };
        const result = await calibrateArgon2(targetMs, argon2HashTimer(options.probeRuns ?? options.runs), {
          start,
          adjust: options.adjustMemory ? 'memory' : 'iterations',
          maxMemoryKiB: Math.max(options.maxMemory, memory),
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

const MAX_MEMORY = '1GB';

function kib(size: string): number {
  return Math.ceil((parseByteSize(size) ?? 0) / 1024);
}

function kibArgument(value: string): number {
  const bytes = parseByteSize(value);
  // As Kratos (go-bytesize), a size needs its unit: a plain number is refused, not read as KiB.
  if (bytes === undefined || bytes < 1024)
    throw new InvalidArgumentError(
      'expected a size with a unit, such as 19MB, 64MB or 1GB (KB = 1024 bytes).',
    );
  return Math.ceil(bytes / 1024);
}

function durationArgument(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    if (/^[0-9]+$/.test(value))
      throw new InvalidArgumentError(
        'expected the time one hash should take, such as 500ms or 1s (Kratos’s calibrate takes requests per minute here; Portcullis does not).',
      );
    throw new InvalidArgumentError('expected a duration such as 500ms or 1s.');
  }
  return ms;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}
