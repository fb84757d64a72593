/** Turns a loaded identity schema document into a traits validator. */

import type { AnySchemaObject } from 'ajv';
import type { JsonObject } from '../model.js';
import { CANONICAL_META_SCHEMA, createAjv, detectDraft } from './ajv.js';
import { type IdentitySchemaErrorSource, IdentitySchemaInvalidError } from './errors.js';
import { renameExtensionKeyword } from './extension-rename.js';
import { isJsonObject } from './json.js';
import { type LoadSchemaOptions, loadSchemaDocument, parseSchemaUrl } from './load.js';
import { validateAgainstMetaSchema } from './meta.js';
import type { TraitsValidationError, TraitsValidationResult } from './types.js';
import { createTraitsValidator } from './validate.js';

/** How many external `$ref` documents one schema may pull in; guards against runaway reference chains. */
const MAX_REFERENCED_DOCUMENTS = 32;
/** How many meta-schema problems an error message lists before it says "and N more". */
const MAX_LISTED_PROBLEMS = 5;

/**
 * Checks a document against the identity meta-schema and compiles it.
 *
 * @param source schema id and URL, for error messages and to resolve relative `$ref`s in a
 *   document without `$id`.
 * @param opts loader options for documents referenced with `$ref`.
 * @throws {IdentitySchemaInvalidError} unsupported `$schema`, meta-schema violations, or an Ajv
 *   compile error (bad regex, unresolvable `$ref`); errors loading a `$ref`'d document are
 *   reported the same way, with their reason.
 */
export async function compileIdentitySchema(
  document: JsonObject,
  source: IdentitySchemaErrorSource & { url: string },
  opts: Omit<LoadSchemaOptions, 'schemaId'> = {},
): Promise<(traits: unknown) => TraitsValidationResult> {
  const draft = detectDraft(document.$schema);
  if (!draft.ok) throw new IdentitySchemaInvalidError(source, draft.reason);

  const problems = validateAgainstMetaSchema(document);
  if (problems.length > 0) {
    throw new IdentitySchemaInvalidError(
      source,
      `does not satisfy the identity meta-schema: ${listProblems(problems)}`,
    );
  }

  const compiled = renameExtensionKeyword(document);
  if (!isJsonObject(compiled))
    throw new IdentitySchemaInvalidError(source, 'the document must be a JSON object');
  // Point Ajv at the meta-schema id it registered, whatever http/https or `#` spelling was used.
  compiled.$schema = CANONICAL_META_SCHEMA[draft.draft];
  if (compiled.$id === undefined) {
    const baseUri = baseUriOf(source.url, opts.baseDir);
    if (baseUri !== undefined) compiled.$id = baseUri;
  }

  let loaded = 0;
  const ajv = createAjv(draft.draft, async (uri): Promise<AnySchemaObject> => {
    loaded += 1;
    if (loaded > MAX_REFERENCED_DOCUMENTS) {
      throw new Error(`more than ${MAX_REFERENCED_DOCUMENTS} referenced documents`);
    }
    const referenced = await loadSchemaDocument(uri, { ...opts, schemaId: source.schemaId });
    const renamed = renameExtensionKeyword(referenced);
    if (!isJsonObject(renamed)) throw new Error(`${uri} is not a JSON object`);
    return renamed;
  });

  try {
    return createTraitsValidator(await ajv.compileAsync(compiled));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new IdentitySchemaInvalidError(source, `cannot compile: ${reason}`, { cause });
  }
}

/** The URI relative `$ref`s resolve against: the file or http(s) URL; none for base64 documents. */
function baseUriOf(url: string, baseDir: string | undefined): string | undefined {
  try {
    const parsed = parseSchemaUrl(url, baseDir);
    return parsed.kind === 'base64' ? undefined : parsed.canonicalUrl;
  } catch {
    return undefined;
  }
}

function listProblems(problems: readonly TraitsValidationError[]): string {
  const listed = problems
    .slice(0, MAX_LISTED_PROBLEMS)
    .map((problem) => `${problem.pointer}: ${problem.message}`);
  const more = problems.length - listed.length;
  return more > 0 ? `${listed.join('; ')}; and ${more} more` : listed.join('; ');
}
