import { stringify } from 'yaml';

export type OutputFormat = 'table' | 'json' | 'json-pretty' | 'yaml';
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'json', 'json-pretty', 'yaml'];

interface IdentityLike {
  id?: string;
  state?: string;
  schema_id?: string;
  verifiable_addresses?: { value?: string }[];
  recovery_addresses?: { value?: string }[];
}

/** Prints identities as Kratos's CLI does: a table by default, or JSON/YAML. */
export function printIdentities(items: IdentityLike[] | IdentityLike, format: OutputFormat): void {
  if (format === 'json') return void console.log(JSON.stringify(items));
  if (format === 'json-pretty') return void console.log(JSON.stringify(items, null, 2));
  if (format === 'yaml') return void process.stdout.write(stringify(items));
  const rows = (Array.isArray(items) ? items : [items]).map((i) => [
    i.id ?? '',
    i.verifiable_addresses?.[0]?.value ?? '',
    i.recovery_addresses?.[0]?.value ?? '',
    i.schema_id ?? '',
    i.state ?? '',
  ]);
  const header = ['ID', 'VERIFIABLE ADDRESS 1', 'RECOVERY ADDRESS 1', 'SCHEMA ID', 'STATE'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  for (const row of [header, ...rows])
    console.log(
      row
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('\t')
        .trimEnd(),
    );
}
