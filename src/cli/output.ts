import { InvalidArgumentError } from 'commander';
import { stringify } from 'yaml';

/**
 * `--format` as ory/x cmdx reads it (RegisterFormatFlags): `table` (the default), `json`,
 * `json-pretty`, `yaml`, and `jsonpointer=<RFC 6901 pointer>`. cmdx's `jsonpath=<gjson path>`
 * is refused rather than approximated; so is any other value (cmdx would print a table).
 */
export type OutputFormat =
  | { readonly kind: 'table' | 'json' | 'json-pretty' | 'yaml' }
  | { readonly kind: 'jsonpointer'; readonly pointer: string };

export const FORMAT_HELP =
  'output format: table, json, json-pretty, yaml or jsonpointer=<pointer> (default: table)';

/** The commander argParser of `--format`. */
export function parseOutputFormat(value: string): OutputFormat {
  if (value === 'table' || value === 'default') return { kind: 'table' };
  if (value === 'json' || value === 'json-pretty' || value === 'yaml') return { kind: value };
  if (value.startsWith('jsonpointer')) {
    const pointer = value.slice('jsonpointer'.length);
    if (!pointer.startsWith('='))
      throw new InvalidArgumentError('give the pointer as jsonpointer=<pointer>, e.g. jsonpointer=/0/id.');
    return { kind: 'jsonpointer', pointer: pointer.slice(1) };
  }
  if (value.startsWith('jsonpath'))
    throw new InvalidArgumentError(
      'jsonpath (gjson syntax) is not supported; use jsonpointer=<pointer> or json.',
    );
  throw new InvalidArgumentError('expected table, json, json-pretty, yaml or jsonpointer=<pointer>.');
}

/** What `--format` and `--quiet` decide between; quiet wins, as in cmdx. */
export interface PrintOptions {
  format?: OutputFormat;
  quiet?: boolean;
}

/** A collection as cmdx.Table: a header, one row per item, the items' ids and their JSON. */
export interface TableOutput {
  header: readonly string[];
  rows: readonly (readonly string[])[];
  ids: readonly string[];
  value: unknown;
}

/** One item as cmdx.TableRow: printed as `HEADER<tab>value` lines in table format. */
export interface RowOutput {
  header: readonly string[];
  columns: readonly string[];
  id: string;
  value: unknown;
}

/** cmdx.None: what a table shows for a missing value. */
export const NONE = '<none>';

/** cmdx.PrintTable. */
export function printTable(table: TableOutput, options: PrintOptions): void {
  if (options.quiet) {
    if (table.ids.length === 0) process.stdout.write('\n');
    for (const id of table.ids) process.stdout.write(`${id}\n`);
    return;
  }
  if (printStructured(table.value, options.format)) return;
  process.stdout.write(tabulate([table.header, ...table.rows]));
}

/** cmdx.PrintRow. */
export function printRow(row: RowOutput, options: PrintOptions): void {
  if (options.quiet) return void process.stdout.write(`${row.id}\n`);
  if (printStructured(row.value, options.format)) return;
  process.stdout.write(tabulate(row.header.map((h, i) => [h, row.columns[i] ?? ''])));
}

function printStructured(value: unknown, format: OutputFormat | undefined): boolean {
  switch (format?.kind ?? 'table') {
    case 'json':
      process.stdout.write(`${goJson(value)}\n`);
      return true;
    case 'json-pretty':
      process.stdout.write(`${goJson(value, 2)}\n`);
      return true;
    case 'jsonpointer':
      process.stdout.write(
        `${goJson(resolvePointer(value, format?.kind === 'jsonpointer' ? format.pointer : ''), 2)}\n`,
      );
      return true;
    case 'yaml':
      process.stdout.write(stringify(value ?? null));
      return true;
    default:
      return false;
  }
}

/** JSON as Go's json.Encoder writes it: <, > and & (and U+2028/9) escaped. */
function goJson(value: unknown, indent?: number): string {
  return (JSON.stringify(value ?? null, null, indent) ?? 'null').replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** An RFC 6901 JSON pointer; throws (the caller prints it) when it names nothing. */
function resolvePointer(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer "${pointer}": it must start with /`);
  let current: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current) && /^(0|[1-9][0-9]*)$/.test(token) && Number(token) < current.length)
      current = current[Number(token)];
    else if (
      typeof current === 'object' &&
      current !== null &&
      !Array.isArray(current) &&
      Object.hasOwn(current, token)
    )
      current = (current as Record<string, unknown>)[token];
    else throw new Error(`JSON pointer "${pointer}" names nothing in the output`);
  }
  return current;
}

/**
 * Lines of cells laid out as Go's text/tabwriter does for cmdx (minwidth 0, tabwidth 8,
 * padding 1, padchar '\t'): every cell ends with a tab and is padded with tabs to its column's
 * widest cell plus one, rounded up to a multiple of 8.
 */
export function tabulate(lines: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const line of lines)
    line.forEach((cell, c) => {
      widths[c] = Math.max(widths[c] ?? 0, [...cell].length + 1);
    });
  return lines
    .map((line) =>
      line
        .map((cell, c) => {
          const text = [...cell].length;
          const cellWidth = Math.ceil((widths[c] ?? 0) / 8) * 8;
          return cell + '\t'.repeat(Math.ceil((cellWidth - text) / 8));
        })
        .join('')
        .concat('\n'),
    )
    .join('');
}

interface IdentityLike {
  id?: string;
  schema_id?: string;
  schema_url?: string;
  verifiable_addresses?: { value?: string }[];
  recovery_addresses?: { value?: string }[];
}

function asIdentity(value: unknown): IdentityLike {
  return typeof value === 'object' && value !== null ? (value as IdentityLike) : {};
}

/** Kratos's outputIdentityCollection (cmd/identities/definitions.go). */
export function identityTable(items: readonly unknown[]): TableOutput {
  const identities = items.map(asIdentity);
  return {
    header: ['ID', 'VERIFIED ADDRESS 1', 'RECOVERY ADDRESS 1', 'SCHEMA ID', 'SCHEMA URL'],
    rows: identities.map((i) => [
      i.id ?? NONE,
      i.verifiable_addresses?.[0]?.value ?? NONE,
      i.recovery_addresses?.[0]?.value ?? NONE,
      i.schema_id ?? NONE,
      i.schema_url ?? NONE,
    ]),
    ids: identities.map((i) => i.id ?? ''),
    value: items,
  };
}

/** Kratos's outputIdentity: one identity, every address. */
export function identityRow(item: unknown): RowOutput {
  const i = asIdentity(item);
  const values = (addresses: { value?: string }[] | undefined) =>
    (addresses ?? [])
      .map((a) => a.value ?? '')
      .filter((v) => v !== '')
      .join(', ');
  return {
    header: ['ID', 'VERIFIED ADDRESSES', 'RECOVERY ADDRESSES', 'SCHEMA ID', 'SCHEMA URL'],
    columns: [
      i.id ?? NONE,
      values(i.verifiable_addresses),
      values(i.recovery_addresses),
      i.schema_id ?? NONE,
      i.schema_url ?? NONE,
    ],
    id: i.id ?? '',
    value: item,
  };
}

/** One identity as a row, several (or none) as a table: what Kratos's get and import print. */
export function printIdentities(items: readonly unknown[], options: PrintOptions): void {
  if (items.length === 1) printRow(identityRow(items[0]), options);
  else printTable(identityTable(items), options);
}

/** cmdx.OutputIder / OutputIderCollection: what `delete identity` prints. */
export function printIds(ids: readonly string[], options: PrintOptions): void {
  if (ids.length === 1) {
    const id = ids[0] ?? '';
    printRow({ header: ['ID'], columns: [id], id, value: id }, options);
  } else if (ids.length > 1) {
    printTable({ header: ['ID'], rows: ids.map((id) => [id]), ids, value: ids }, options);
  }
}
