import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { adminRequest, resolveEndpoint } from './admin-client.js';
import { EXIT_FAILURE } from './exit-codes.js';
import { OUTPUT_FORMATS, type OutputFormat, printIdentities } from './output.js';

interface CommonOptions {
  endpoint?: string;
  format: OutputFormat;
}

function withCommon(command: Command): Command {
  return command
    .option(
      '-e, --endpoint <url>',
      'admin API URL (default: $PORTCULLIS_ADMIN_URL, $KRATOS_ADMIN_URL or http://127.0.0.1:4434)',
    )
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'));
}

/** Runs one command body, printing admin API errors instead of stack traces. */
function run<A extends unknown[]>(body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await body(...args);
    } catch (error) {
      // Admin API errors, unreachable endpoints and malformed input files: a message, not a trace.
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

/** `portcullis identities import|get|list|delete`, as `kratos identities`. */
export function identitiesCommand(): Command {
  const identities = new Command('identities').description('Manage identities through the admin API');

  identities.addCommand(
    withCommon(new Command('import'))
      .description(
        'Import identities from JSON files (one identity or an array per file), or stdin with "-" or no file',
      )
      .argument('[files...]', 'files holding createIdentityBody JSON')
      .action(
        run(async (files: string[], options: CommonOptions) => {
          const endpoint = resolveEndpoint(options.endpoint);
          const sources = files.length === 0 ? ['-'] : files;
          const created: unknown[] = [];
          for (const source of sources) {
            const text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
            const parsed: unknown = JSON.parse(text);
            for (const body of Array.isArray(parsed) ? parsed : [parsed]) {
              const { data } = await adminRequest(endpoint, 'POST', '/admin/identities', body);
              created.push(data);
            }
          }
          printIdentities(created as object[], options.format);
        }),
      ),
  );

  identities.addCommand(
    withCommon(new Command('get'))
      .description('Get one or more identities by id')
      .argument('<ids...>')
      .action(
        run(async (ids: string[], options: CommonOptions) => {
          const endpoint = resolveEndpoint(options.endpoint);
          const found = [];
          for (const id of ids)
            found.push(
              (await adminRequest(endpoint, 'GET', `/admin/identities/${encodeURIComponent(id)}`)).data,
            );
          printIdentities((ids.length === 1 ? found[0] : found) as object, options.format);
        }),
      ),
  );

  identities.addCommand(
    withCommon(new Command('list'))
      .description('List identities, one page at a time')
      .option('--page-size <n>', 'identities per page', '250')
      .option('--page-token <token>', 'the token of the next page, printed after each page')
      .action(
        run(async (options: CommonOptions & { pageSize: string; pageToken?: string }) => {
          const endpoint = resolveEndpoint(options.endpoint);
          const query = new URLSearchParams({ page_size: options.pageSize });
          if (options.pageToken) query.set('page_token', options.pageToken);
          const { data, headers } = await adminRequest(endpoint, 'GET', `/admin/identities?${query}`);
          printIdentities(data as object[], options.format);
          const next = /[?&]page_token=([^&>]+)[^>]*>; rel="next"/.exec(headers.get('link') ?? '');
          if (next?.[1]) console.error(`next page: --page-token ${decodeURIComponent(next[1])}`);
        }),
      ),
  );

  identities.addCommand(
    withCommon(new Command('delete'))
      .description('Delete one or more identities by id')
      .argument('<ids...>')
      .action(
        run(async (ids: string[], options: CommonOptions) => {
          const endpoint = resolveEndpoint(options.endpoint);
          for (const id of ids) {
            await adminRequest(endpoint, 'DELETE', `/admin/identities/${encodeURIComponent(id)}`);
            console.log(id);
          }
        }),
      ),
  );
  return identities;
}
