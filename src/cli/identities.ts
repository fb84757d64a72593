import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { adminRequest, resolveEndpoint } from './admin-client.js';
import { EXIT_FAILURE } from './exit-codes.js';
import {
  FORMAT_HELP,
  identityTable,
  type OutputFormat,
  parseOutputFormat,
  printIdentities,
  printIds,
  printTable,
} from './output.js';

/** Kratos's client and format flags (cliclient.RegisterClientFlags, cmdx.RegisterFormatFlags). */
interface ClientOptions {
  endpoint?: string;
  format?: OutputFormat;
  quiet?: boolean;
}

interface GetOptions extends ClientOptions {
  includeCredentials?: string[];
  externalId?: boolean;
}

interface ListOptions extends ClientOptions {
  pageSize: number;
  pageToken?: string;
  consistency?: string;
}

function withClientFlags(command: Command): Command {
  return command
    .option(
      '-e, --endpoint <url>',
      'admin API URL (default: $PORTCULLIS_ADMIN_URL, $KRATOS_ADMIN_URL or http://127.0.0.1:4434)',
    )
    .addOption(new Option('--format <format>', FORMAT_HELP).argParser(parseOutputFormat))
    .option('-q, --quiet', 'print only the ids, one per line (wins over --format)');
}

/** The options of the command or, for `get identity` and the like, of its verb command too. */
function optionsOf<T>(command: Command): T {
  return command.optsWithGlobals() as T;
}

/** Runs one command body, printing admin API errors instead of stack traces. */
function run<A extends unknown[]>(body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await body(...args);
    } catch (error) {
      // Unreachable endpoints, malformed input files, a bad --format pointer: a message, not a trace.
      if (error instanceof Error) {
        console.error(`error: ${error.message}`);
        process.exitCode = EXIT_FAILURE;
        return;
      }
      throw error;
    }
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Kratos's `import identities`: every file read first, each identity created, failures listed. */
async function importIdentities(files: string[], options: ClientOptions): Promise<void> {
  const endpoint = resolveEndpoint(options.endpoint);
  const bodies: { source: string; body: unknown }[] = [];
  for (const file of files.length === 0 ? ['-'] : files) {
    const name = file === '-' ? 'STD_IN' : file;
    const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`${name}: could not parse identity: ${errorMessage(error)}`);
    }
    (Array.isArray(parsed) ? parsed : [parsed]).forEach((body, i) => {
      bodies.push({ source: `${name}[${i}]`, body });
    });
  }
  const created: unknown[] = [];
  const failed: string[] = [];
  for (const { source, body } of bodies) {
    try {
      created.push((await adminRequest(endpoint, 'POST', '/admin/identities', body)).data);
    } catch (error) {
      failed.push(`${source}: ${errorMessage(error)}`);
    }
  }
  printIdentities(created, options);
  finish(failed);
}

async function getIdentities(ids: string[], options: GetOptions): Promise<void> {
  const endpoint = resolveEndpoint(options.endpoint);
  const query = new URLSearchParams();
  for (const type of options.includeCredentials ?? []) query.append('include_credential', type);
  const suffix = query.size > 0 ? `?${query}` : '';
  const found: unknown[] = [];
  const failed: string[] = [];
  for (const id of ids) {
    const path = options.externalId
      ? `/admin/identities/by/external/${encodeURIComponent(id)}`
      : `/admin/identities/${encodeURIComponent(id)}`;
    try {
      found.push((await adminRequest(endpoint, 'GET', `${path}${suffix}`)).data);
    } catch (error) {
      failed.push(`${id}: ${errorMessage(error)}`);
    }
  }
  if (found.length > 0) printIdentities(found, options);
  finish(failed);
}

async function listIdentities(options: ListOptions): Promise<void> {
  const endpoint = resolveEndpoint(options.endpoint);
  const query = new URLSearchParams({ page_size: String(options.pageSize) });
  if (options.pageToken) query.set('page_token', options.pageToken);
  if (options.consistency) query.set('consistency', options.consistency);
  const { data, headers } = await adminRequest(endpoint, 'GET', `/admin/identities?${query}`);
  printTable(identityTable(Array.isArray(data) ? data : []), options);
  const next = /[?&]page_token=([^&>]+)[^>]*>; rel="next"/.exec(headers.get('link') ?? '');
  if (next?.[1]) console.error(`next page: --page-token ${decodeURIComponent(next[1])}`);
}

async function deleteIdentities(ids: string[], options: ClientOptions): Promise<void> {
  const endpoint = resolveEndpoint(options.endpoint);
  const deleted: string[] = [];
  const failed: string[] = [];
  for (const id of ids) {
    try {
      await adminRequest(endpoint, 'DELETE', `/admin/identities/${encodeURIComponent(id)}`);
      deleted.push(id);
    } catch (error) {
      failed.push(`${id}: ${errorMessage(error)}`);
    }
  }
  printIds(deleted, options);
  finish(failed);
}

/** cmdx.PrintErrors, then a failing exit when anything failed. */
function finish(failed: string[]): void {
  for (const line of failed) console.error(line);
  if (failed.length > 0) process.exitCode = EXIT_FAILURE;
}

function pageSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

function credentialType(value: string, previous: string[] | undefined): string[] {
  if (value !== 'oidc') throw new InvalidArgumentError('only "oidc" can be included.');
  return [...(previous ?? []), value];
}

const IMPORT_DESCRIPTION =
  'Import identities from JSON files (one identity or an array per file), or stdin with "-" or no file';
const PAGE_SIZE_HELP = 'identities per page';

function listFlags(command: Command, defaultPageSize: number): Command {
  return command
    .addOption(new Option('--page-size <n>', PAGE_SIZE_HELP).argParser(pageSize).default(defaultPageSize))
    .option('--page-token <token>', 'the token of the next page, printed after each page')
    .option(
      '--consistency <level>',
      'read consistency, strong or eventual (sent as the consistency query parameter)',
    );
}

function getFlags(command: Command): Command {
  return command
    .option(
      '-i, --include-credentials <type>',
      'include the credentials of this type (only "oidc": its provider tokens); repeatable',
      credentialType,
    )
    .option('--external-id', 'treat the ids as external ids (GET /admin/identities/by/external/{id})');
}

/**
 * `portcullis identities import|get|list|delete`, Kratos's older layout, kept for the scripts
 * written against it. Same behaviour and output as the verb-first commands.
 */
export function identitiesCommand(): Command {
  const identities = new Command('identities').description('Manage identities through the admin API');
  identities.addCommand(
    withClientFlags(new Command('import'))
      .description(IMPORT_DESCRIPTION)
      .argument('[files...]', 'files holding createIdentityBody JSON')
      .action(
        run((files: string[], _o: unknown, command: Command) => importIdentities(files, optionsOf(command))),
      ),
  );
  identities.addCommand(
    getFlags(withClientFlags(new Command('get')))
      .description('Get one or more identities by id')
      .argument('<ids...>')
      .action(run((ids: string[], _o: unknown, command: Command) => getIdentities(ids, optionsOf(command)))),
  );
  identities.addCommand(
    listFlags(withClientFlags(new Command('list')), 250)
      .description('List identities, one page at a time')
      .action(run((_o: unknown, command: Command) => listIdentities(optionsOf(command)))),
  );
  identities.addCommand(
    withClientFlags(new Command('delete'))
      .description('Delete one or more identities by id')
      .argument('<ids...>')
      .action(
        run((ids: string[], _o: unknown, command: Command) => deleteIdentities(ids, optionsOf(command))),
      ),
  );
  return identities;
}

/**
 * Kratos's current, verb-first layout: `import identities`, `list identities` (`ls`),
 * `get identity`, `delete identity` (each also answering to `identity`/`identities`). The client
 * and format flags belong to the verb, as Kratos's persistent flags, so they may come before or
 * after the noun.
 */
export function verbFirstIdentityCommands(): Command[] {
  const importCommand = withClientFlags(new Command('import').description('Import resources'));
  importCommand.addCommand(
    new Command('identities')
      .alias('identity')
      .description(IMPORT_DESCRIPTION)
      .argument('[files...]', 'files holding createIdentityBody JSON')
      .action(
        run((files: string[], _o: unknown, command: Command) => importIdentities(files, optionsOf(command))),
      ),
  );

  const list = withClientFlags(new Command('list').alias('ls').description('List resources'));
  list.addCommand(
    listFlags(new Command('identities').alias('identity'), 100)
      .description('List identities, one page at a time')
      .action(run((_o: unknown, command: Command) => listIdentities(optionsOf(command)))),
  );

  const get = withClientFlags(new Command('get').description('Get resources'));
  get.addCommand(
    getFlags(new Command('identity').alias('identities'))
      .description('Get one or more identities by their ids')
      .argument('<ids...>')
      .action(run((ids: string[], _o: unknown, command: Command) => getIdentities(ids, optionsOf(command)))),
  );

  const remove = withClientFlags(new Command('delete').description('Delete resources'));
  remove.addCommand(
    new Command('identity')
      .alias('identities')
      .description('Delete one or more identities by their ids')
      .argument('<ids...>')
      .action(
        run((ids: string[], _o: unknown, command: Command) => deleteIdentities(ids, optionsOf(command))),
      ),
  );
  return [importCommand, list, get, remove];
}
