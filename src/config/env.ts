import { coerceEnvValue } from './env-coerce.js';
import type { ConfigIssue } from './errors.js';
import { deepMerge, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { Provenance } from './provenance.js';
import type { ConfigSchema } from './schema.js';
import { ANY_INDEX, listSchemaPaths, type SchemaPath } from './schema-paths.js';

/**
 * Root keys never taken from env: shells and CI systems define VERSION, HELP, CONFIG, DEV and
 * REVISION for their own purposes, and a stray one must not change or break the config.
 */
export const ENV_EXCLUDED_ROOT_KEYS: ReadonlySet<string> = new Set([
  'version',
  'help',
  'config',
  'dev',
  'revision',
]);

/** Maps env var names to schema key paths. */
export interface EnvIndex {
  /** Exact names: `SERVE_PUBLIC_PORT` -> serve.public.port. */
  readonly exact: ReadonlyMap<string, SchemaPath>;
  /** Names with array indices: `IDENTITY_SCHEMAS_(\d+)_URL` -> identity.schemas.#.url. */
  readonly indexed: readonly { readonly pattern: RegExp; readonly target: SchemaPath }[];
  /** Names two different key paths spell alike; the first in schema order wins. */
  readonly collisions: readonly { readonly name: string; readonly kept: string; readonly dropped: string }[];
  readonly aliases: ReadonlyMap<string, string>;
}

/** An env var resolved to a concrete key path (indices filled in). */
export interface EnvMatch {
  readonly target: SchemaPath;
  readonly path: readonly string[];
}

const HAS_INDEX = /_\d+(_|$)/;

const indexCache = new WeakMap<ConfigSchema, EnvIndex>();

/** The env index of `schema`, built once per schema object. */
export function envIndexFor(schema: ConfigSchema): EnvIndex {
  let index = indexCache.get(schema);
  if (index === undefined) {
    index = buildEnvIndex(schema);
    indexCache.set(schema, index);
  }
  return index;
}

/**
 * An env var name is the key path upper-cased and joined with `_`, so `ui_url` and `ui.url`
 * spell the same; the schema's list of real paths decides which one a name means.
 */
export function buildEnvIndex(schema: ConfigSchema): EnvIndex {
  const exact = new Map<string, SchemaPath>();
  const indexed: { pattern: RegExp; target: SchemaPath }[] = [];
  const collisions: { name: string; kept: string; dropped: string }[] = [];
  for (const target of listSchemaPaths(schema, ENV_EXCLUDED_ROOT_KEYS)) {
    const name = target.path.map((key) => key.toUpperCase()).join('_');
    if (target.path.includes(ANY_INDEX)) {
      const source = target.path.map((key) => (key === ANY_INDEX ? '(\\d+)' : key.toUpperCase())).join('_');
      indexed.push({ pattern: new RegExp(`^${source}$`), target });
      continue;
    }
    const existing = exact.get(name);
    if (existing === undefined) exact.set(name, target);
    else collisions.push({ name, kept: existing.path.join('.'), dropped: target.path.join('.') });
  }
  return { exact, indexed, collisions, aliases: schema.envAliases };
}

/** The key path an env var names, or undefined for unrelated variables (PATH, HOME, ...). */
export function resolveEnvName(index: EnvIndex, name: string): EnvMatch | undefined {
  const exact = index.exact.get(name);
  if (exact !== undefined) return { target: exact, path: exact.path };
  // Most variables have no `_<digits>` part; skip the pattern scan for them.
  if (!HAS_INDEX.test(name)) return undefined;
  for (const { pattern, target } of index.indexed) {
    const match = pattern.exec(name);
    if (match === null) continue;
    const indices = match.slice(1);
    let next = 0;
    const path = target.path.map((key) => (key === ANY_INDEX ? (indices[next++] ?? '0') : key));
    return { target, path };
  }
  return undefined;
}

/**
 * Applies env overrides to `document` in place and returns the problems found. Env wins over
 * files. Objects given as JSON merge into what the files set; arrays and scalars replace it.
 * Empty variables count as unset (`DSN=` in a compose file means "not given").
 */
export function applyEnvOverrides(
  document: JsonObject,
  env: Readonly<Record<string, string | undefined>>,
  schema: ConfigSchema,
  provenance: Provenance,
): ConfigIssue[] {
  const index = envIndexFor(schema);
  const issues: ConfigIssue[] = [];
  const pending: { name: string; match: EnvMatch; text: string }[] = [];
  const seen = new Set<string>();
  for (const [name, text] of envEntries(env, index.aliases)) {
    const match = resolveEnvName(index, name);
    if (match === undefined || isStrayObjectName(match, text)) continue;
    const key = match.path.join('.');
    if (seen.has(key)) continue; // the canonical name came first and wins over its alias
    seen.add(key);
    pending.push({ name, match, text });
  }
  // Shallow keys first, so SERVE_PUBLIC_PORT wins over a port inside SERVE_PUBLIC='{...}'.
  pending.sort((a, b) => a.match.path.length - b.match.path.length || a.name.localeCompare(b.name));
  for (const { name, match, text } of pending) {
    const source = `env ${name}`;
    const coerced = coerceEnvValue(text, match.target);
    if (!coerced.ok) {
      issues.push({ path: match.path.join('.'), message: coerced.reason, source });
      continue;
    }
    const problem = setAt(document, match, coerced.value);
    if (problem !== undefined) {
      issues.push({ path: match.path.join('.'), message: problem, source });
      continue;
    }
    provenance.record(coerced.value, source, match.path);
  }
  return issues;
}

/**
 * Names of object keys (DATABASE, CACHE, LOG, SESSION, ...) are common as unrelated shell or CI
 * variables. Such a name counts only when its value is a JSON object; anything else is not
 * meant for us and is ignored rather than failing startup.
 */
function isStrayObjectName(match: EnvMatch, text: string): boolean {
  const { types } = match.target;
  return types.size === 1 && types.has('object') && !text.trimStart().startsWith('{');
}

/** Canonical names first, then aliases mapped to the canonical name they stand for. */
function* envEntries(
  env: Readonly<Record<string, string | undefined>>,
  aliases: ReadonlyMap<string, string>,
): Generator<[string, string]> {
  for (const [name, text] of Object.entries(env)) {
    if (text !== undefined && text !== '' && !aliases.has(name)) yield [name, text];
  }
  for (const [alias, canonical] of aliases) {
    const text = env[alias];
    if (text !== undefined && text !== '') yield [canonical, text];
  }
}

function setAt(document: JsonObject, match: EnvMatch, value: JsonValue): string | undefined {
  let node: JsonObject | JsonValue[] = document;
  const { path, target } = match;
  for (const [depth, key] of path.entries()) {
    const last = depth === path.length - 1;
    const nextIsIndex = target.path[depth + 1] === ANY_INDEX;
    if (Array.isArray(node)) {
      const list: JsonValue[] = node;
      const position = Number(key);
      // Only an existing item or the next one: a gap would leave items without required keys.
      if (position > list.length) {
        return `index ${position} is past the end of the list, which has ${list.length} items`;
      }
      if (last) {
        list[position] = value;
        return undefined;
      }
      node = ensureContainer(list[position], nextIsIndex, (created) => {
        list[position] = created;
      });
      continue;
    }
    if (last) {
      const current = node[key];
      node[key] = isJsonObject(current) && isJsonObject(value) ? deepMerge(current, value) : value;
      return undefined;
    }
    const parent: JsonObject = node;
    node = ensureContainer(parent[key], nextIsIndex, (created) => {
      parent[key] = created;
    });
  }
  return undefined;
}

function ensureContainer(
  current: JsonValue | undefined,
  wantArray: boolean,
  attach: (created: JsonObject | JsonValue[]) => void,
): JsonObject | JsonValue[] {
  if (wantArray && Array.isArray(current)) return current;
  if (!wantArray && isJsonObject(current)) return current;
  const created: JsonObject | JsonValue[] = wantArray ? [] : {};
  attach(created);
  return created;
}
