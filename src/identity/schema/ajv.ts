/**
 * Ajv set-up for identity schemas: which JSON Schema draft a document uses, and an Ajv instance
 * configured the way Kratos validates traits.
 */

import type { AnySchemaObject, Plugin } from 'ajv';
import { Ajv } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import draft06MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import type { JsonValue } from '../model.js';
import { extensionKeyword } from './extension.js';
import { addIdentityFormats } from './formats.js';

/** An Ajv instance of any draft class (they share the core API). */
export type AjvInstance = Parameters<Plugin<unknown>>[0];

/** JSON Schema drafts an identity schema may declare in `$schema`. */
export type SchemaDraft = 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

/** The `$schema` URI each Ajv class registers its meta-schema under. */
export const CANONICAL_META_SCHEMA: Record<SchemaDraft, string> = {
  'draft-06': 'http://json-schema.org/draft-06/schema#',
  'draft-07': 'http://json-schema.org/draft-07/schema#',
  '2019-09': 'https://json-schema.org/draft/2019-09/schema',
  '2020-12': 'https://json-schema.org/draft/2020-12/schema',
};

// Keyed by the URI without scheme, trailing `#` or `/`, so http/https and `#` variants all match.
const DRAFT_BY_URI: Record<string, SchemaDraft> = {
  'json-schema.org/draft-06/schema': 'draft-06',
  'json-schema.org/draft-07/schema': 'draft-07',
  'json-schema.org/draft/2019-09/schema': '2019-09',
  'json-schema.org/draft/2020-12/schema': '2020-12',
};

/**
 * Reads the draft from a document's `$schema`. No `$schema` means draft-07, the draft Kratos's
 * own schemas and examples use.
 */
export function detectDraft(
  $schema: JsonValue | undefined,
): { ok: true; draft: SchemaDraft } | { ok: false; reason: string } {
  if ($schema === undefined) return { ok: true, draft: 'draft-07' };
  if (typeof $schema !== 'string') return { ok: false, reason: '"$schema" must be a string' };
  const key = $schema
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/[#/]+$/, '');
  const draft = DRAFT_BY_URI[key];
  if (draft === undefined) {
    return {
      ok: false,
      reason: `unsupported "$schema" ${JSON.stringify($schema)} (supported: draft-06, draft-07, 2019-09, 2020-12)`,
    };
  }
  return { ok: true, draft };
}

/** Loader for `$ref`s to documents that are not part of the compiled schema. */
export type RefLoader = (uri: string) => Promise<AnySchemaObject>;

/**
 * Creates an Ajv instance for one identity schema. One instance per schema, because schemas
 * copied from the same preset share an `$id`, which Ajv allows only once per instance.
 */
export function createAjv(draft: SchemaDraft, loadSchema: RefLoader): AjvInstance {
  const options = {
    // Report every problem at once, as Kratos does, so a form can mark every bad field.
    allErrors: true,
    // User schemas carry keywords Ajv does not know (UI hints, vendor extensions); Kratos ignores them.
    strict: false,
    // No `useDefaults`: Kratos (ory/jsonschema) never writes `default` into the traits, so a
    // required trait with a default is still missing, and a default on an identifier or address
    // trait cannot hand every identity the same login identifier or recovery address.
    // Keep the failing value on each error: messages quote it (`"x" is not valid "email"`).
    verbose: true,
    // Lets the `ory.sh/kratos` keyword write into a per-call collector passed as `this`.
    passContext: true,
    ownProperties: true,
    // Formats other than Kratos's are not checked, as in Kratos; Ajv would otherwise warn on the console.
    logger: false as const,
    loadSchema,
  };
  const ajv: AjvInstance =
    draft === '2020-12'
      ? new Ajv2020(options)
      : draft === '2019-09'
        ? new Ajv2019(options)
        : new Ajv(options);
  if (draft === 'draft-06') ajv.addMetaSchema(draft06MetaSchema);
  addIdentityFormats(ajv);
  ajv.addKeyword(extensionKeyword);
  return ajv;
}
