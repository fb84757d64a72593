import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ConfigIssue } from './errors.js';
import { deepMerge, isJsonObject, type JsonObject } from './json.js';
import type { Provenance } from './provenance.js';

/** The merged content of the config files, or the reasons they could not be read. */
export interface FilesResult {
  document: JsonObject;
  issues: ConfigIssue[];
}

/**
 * Reads each file (YAML or JSON, decided by content: JSON is valid YAML 1.2) and deep-merges
 * them in order. Relative paths resolve against `cwd`. Every unreadable or unparsable file is
 * reported, not only the first.
 */
export async function readConfigFiles(
  files: readonly string[],
  cwd: string,
  provenance: Provenance,
): Promise<FilesResult> {
  let document: JsonObject = {};
  const issues: ConfigIssue[] = [];
  for (const file of files) {
    const path = resolve(cwd, file);
    const parsed = await readOne(path);
    if ('issue' in parsed) {
      issues.push(parsed.issue);
      continue;
    }
    provenance.record(parsed.document, path);
    document = deepMerge(document, parsed.document);
  }
  return { document, issues };
}

async function readOne(path: string): Promise<{ document: JsonObject } | { issue: ConfigIssue }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return {
      issue: { path: '', message: `cannot read config file: ${describeFsError(error)}`, source: path },
    };
  }
  return parseConfigText(text, path);
}

/** Parses one config file's text. Exported for tests and for callers that hold text already. */
export function parseConfigText(
  text: string,
  source: string,
): { document: JsonObject } | { issue: ConfigIssue } {
  // parseDocument collects errors instead of throwing at the first one, and keeps yaml from
  // printing warnings to the console (the logger does not exist yet at this point).
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    // Only the first line ("... at line 3, column 5"): the excerpt below it may show a secret.
    const reason = (first.message.split('\n')[0] ?? first.message).replace(/:$/, '');
    return { issue: { path: '', message: `cannot parse config file: ${reason}`, source } };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { issue: { path: '', message: `cannot parse config file: ${errorMessage(error)}`, source } };
  }
  // An empty file is an empty config, as in Kratos.
  if (value === null || value === undefined) return { document: {} };
  if (!isJsonObject(value)) {
    return {
      issue: { path: '', message: 'config file must hold a mapping of keys at the top level', source },
    };
  }
  const invalid = findNonJson(value, []);
  if (invalid !== undefined) {
    return {
      issue: {
        path: invalid,
        message: 'value is not representable as JSON (use plain YAML scalars)',
        source,
      },
    };
  }
  return { document: value };
}

/** Returns the dotted path of the first value JSON cannot hold (dates, binary, NaN), if any. */
function findNonJson(value: unknown, path: string[]): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path.join('.');
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNonJson(item, [...path, String(index)]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (isJsonObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const found = findNonJson(item, [...path, key]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return path.join('.');
}

function describeFsError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return errorMessage(error);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
