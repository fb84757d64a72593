/** The configured identity schemas (`identity.schemas`), loaded, checked and compiled at startup. */

import { compileIdentitySchema } from './compile.js';
import { IdentitySchemaConfigError } from './errors.js';
import { deepFreeze } from './json.js';
import { type LoadSchemaOptions, loadSchemaDocument } from './load.js';
import type { IdentitySchema, SchemaRegistry } from './types.js';

/** One `identity.schemas[]` entry of the config. */
export interface SchemaEntry {
  id: string;
  url: string;
  /** `selfservice_selectable`: flows may ask for it with `?identity_schema=`. */
  selfserviceSelectable?: boolean;
}

/** Options for {@link createSchemaRegistry}: how documents are fetched. */
export type SchemaRegistryOptions = Omit<LoadSchemaOptions, 'schemaId'>;

/**
 * Loads every schema, validates it against the identity meta-schema and compiles it. All
 * schemas load in parallel; any failure fails the whole registry, so a broken schema stops
 * the server at startup instead of failing registrations later.
 *
 * @throws {IdentitySchemaConfigError} no entries, an empty or duplicate id, an empty url, or
 *   `defaultId` not among the ids (checked before anything is fetched).
 * @throws {IdentitySchemaUnreachableError} a document could not be read (the first failing
 *   entry in config order is reported).
 * @throws {IdentitySchemaInvalidError} a document is not a valid identity schema.
 */
export async function createSchemaRegistry(
  entries: readonly SchemaEntry[],
  defaultId: string,
  opts: SchemaRegistryOptions = {},
): Promise<SchemaRegistry> {
  checkEntries(entries, defaultId);
  const settled = await Promise.allSettled(entries.map((entry) => loadEntry(entry, opts)));
  const schemas = new Map<string, IdentitySchema>();
  for (const outcome of settled) {
    if (outcome.status === 'rejected') throw outcome.reason;
    schemas.set(outcome.value.id, outcome.value);
  }
  const ordered = [...schemas.values()];
  const defaultSchema = schemas.get(defaultId)!;
  return {
    defaultId,
    get: (id) => schemas.get(id),
    getDefault: () => defaultSchema,
    list: () => [...ordered],
  };
}

async function loadEntry(entry: SchemaEntry, opts: SchemaRegistryOptions): Promise<IdentitySchema> {
  const document = await loadSchemaDocument(entry.url, { ...opts, schemaId: entry.id });
  const validate = await compileIdentitySchema(document, { schemaId: entry.id, url: entry.url }, opts);
  return {
    id: entry.id,
    url: entry.url,
    selfserviceSelectable: entry.selfserviceSelectable === true,
    document: deepFreeze(document),
    validate,
  };
}

function checkEntries(entries: readonly SchemaEntry[], defaultId: string): void {
  if (entries.length === 0) throw new IdentitySchemaConfigError({}, 'no identity schemas are configured');
  const ids = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    if (entry.id.trim() === '') throw new IdentitySchemaConfigError({}, `entry ${index} has an empty id`);
    if (entry.url.trim() === '') {
      throw new IdentitySchemaConfigError({ schemaId: entry.id }, 'the url is empty');
    }
    if (ids.has(entry.id))
      throw new IdentitySchemaConfigError({ schemaId: entry.id }, 'the id is used twice');
    ids.add(entry.id);
  }
  if (!ids.has(defaultId)) {
    const known = [...ids].map((id) => JSON.stringify(id)).join(', ');
    throw new IdentitySchemaConfigError(
      { schemaId: defaultId },
      `the default schema id is not among the configured schemas (${known})`,
    );
  }
}
