/**
 * The built-in identity schema used when no `identity.schemas` are configured (`--dev` without
 * a config): an email address that is the password identifier and is verified and used for
 * recovery, plus an optional first and last name.
 */

import type { JsonObject } from '../model.js';
import { deepFreeze } from './json.js';
import emailPassword from './presets/email-password.schema.json' with { type: 'json' };
import type { SchemaEntry } from './registry.js';

/** Schema id the built-in schema is configured under. */
export const DEFAULT_SCHEMA_ID = 'default';

/** The built-in email + password schema document. */
export const DEFAULT_SCHEMA_DOCUMENT: Readonly<JsonObject> = deepFreeze(
  structuredClone(emailPassword) as JsonObject,
);

/**
 * The built-in schema as a `base64://` URL, the form Kratos configs use for inline schemas, so
 * config code can set `identity.schemas: [{ id: DEFAULT_SCHEMA_ID, url: DEFAULT_SCHEMA_URL }]`
 * and the schema is loaded like any other.
 */
export const DEFAULT_SCHEMA_URL = `base64://${Buffer.from(JSON.stringify(emailPassword)).toString('base64')}`;

/** `identity.schemas` for a server with no schema configured. */
export const DEFAULT_SCHEMAS: readonly SchemaEntry[] = Object.freeze([
  Object.freeze({ id: DEFAULT_SCHEMA_ID, url: DEFAULT_SCHEMA_URL }),
]);
