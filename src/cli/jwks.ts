import { readFile, rename, writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { GENERATE_ALGORITHMS, type GenerateAlgorithm, generateJwk } from '../proxy/jwks/generate.js';
import { parseJwkSet } from '../proxy/jwks/keys.js';
import { EXIT_FAILURE } from './exit-codes.js';

interface GenerateOptions {
  alg: GenerateAlgorithm;
  kid?: string;
  out?: string;
  append?: string;
}

function kid(value: string): string {
  if (!/^[\x21-\x7e]{1,128}$/.test(value))
    throw new InvalidArgumentError('give 1 to 128 printable ASCII characters');
  return value;
}

/** Writes `text` to `path` through a temporary file, readable by the owner only. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  await rename(tmp, path);
}

/** `portcullis jwks generate`: a JSON Web Key Set for the id_token mutator. */
export function jwksCommand(): Command {
  const jwks = new Command('jwks').description('Manage JSON Web Key Sets for the id_token mutator');
  jwks.addCommand(
    new Command('generate')
      .description(
        'Write a JSON Web Key Set with one new private signing key (use "sig", alg, kid) to stdout, to --out, or first in the set of --append',
      )
      .addOption(
        new Option('--alg <alg>', 'signing algorithm (RSA keys are 2048 bits)')
          .choices([...GENERATE_ALGORITHMS])
          .makeOptionMandatory(),
      )
      .addOption(new Option('--kid <id>', 'key id (default: a random UUID)').argParser(kid))
      .option(
        '--out <file>',
        'write a new set to this file (mode 0600); refuses to overwrite an existing file',
      )
      .option('--append <file>', 'rotate: put the new key first in this existing set, keeping its other keys')
      .addHelpText(
        'after',
        '\nThe id_token mutator signs with the first private key of the set whose use is "sig" (or unset); every key stays in /.well-known/jwks.json. To rotate, run with --append: the new key signs from the next reload on, and the old keys keep verifying tokens already issued. Remove an old key once the id_token ttl has passed since the rotation.',
      )
      .action(async (options: GenerateOptions) => {
        if (options.out !== undefined && options.append !== undefined) {
          process.stderr.write('jwks generate: give --out or --append, not both\n');
          process.exit(EXIT_FAILURE);
        }
        const key = await generateJwk(options.alg, options.kid);
        try {
          if (options.append !== undefined) {
            const set = parseJwkSet(await readFile(options.append, 'utf8'));
            if (set.keys.some((k) => k.kid === key.kid))
              throw new Error(`a key with kid "${key.kid}" is already in the set`);
            await writeAtomically(
              options.append,
              `${JSON.stringify({ keys: [key, ...set.keys] }, null, 2)}\n`,
            );
            process.stderr.write(`added key ${key.kid} (${options.alg}) first in ${options.append}\n`);
            return;
          }
          const text = `${JSON.stringify({ keys: [key] }, null, 2)}\n`;
          if (options.out === undefined) {
            process.stdout.write(text);
            return;
          }
          await writeFile(options.out, text, { mode: 0o600, flag: 'wx' });
          process.stderr.write(`wrote key ${key.kid} (${options.alg}) to ${options.out}\n`);
        } catch (error) {
          process.stderr.write(`jwks generate: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(EXIT_FAILURE);
        }
      }),
  );
  return jwks;
}
