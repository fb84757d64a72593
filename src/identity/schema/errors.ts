/**
 * Errors raised while loading and compiling identity schemas. They happen at startup (or when
 * the config is reloaded), never per request, so they are plain Errors with a stable `code`
 * rather than HTTP-shaped `AppError`s. Callers branch on `code`, never on the message.
 */

/** Stable codes of {@link IdentitySchemaError}. */
export type IdentitySchemaErrorCode =
  /** The document could not be read: missing file, network error, timeout, non-2xx, too large. */
  | 'identity_schema_unreachable'
  /** The document was read but is not a usable identity schema (not JSON, fails the meta-schema, does not compile). */
  | 'identity_schema_invalid'
  /** The list of schemas itself is wrong: empty, duplicate ids, unknown default id. */
  | 'identity_schema_config_invalid';

/** Where a failing schema came from, as far as it is known. */
export interface IdentitySchemaErrorSource {
  /** Schema id from the config (`identity.schemas[].id`), when the error concerns one schema. */
  schemaId?: string | undefined;
  /** URL the schema was (to be) loaded from. */
  url?: string | undefined;
}

/** Base class of every error this module throws. */
export abstract class IdentitySchemaError extends Error {
  abstract readonly code: IdentitySchemaErrorCode;
  readonly schemaId: string | undefined;
  readonly url: string | undefined;
  /** The reason alone, without the schema id / url prefix that `message` carries. */
  readonly reason: string;

  constructor(source: IdentitySchemaErrorSource, reason: string, options?: { cause?: unknown }) {
    super(`${describeSource(source)}: ${reason}`, options);
    this.schemaId = source.schemaId;
    this.url = source.url;
    this.reason = reason;
  }
}

/** The schema document could not be fetched or read. */
export class IdentitySchemaUnreachableError extends IdentitySchemaError {
  readonly code = 'identity_schema_unreachable';
  override readonly name = 'IdentitySchemaUnreachableError';
}

/** The schema document is not valid JSON, not an identity schema, or does not compile. */
export class IdentitySchemaInvalidError extends IdentitySchemaError {
  readonly code = 'identity_schema_invalid';
  override readonly name = 'IdentitySchemaInvalidError';
}

/** The `identity.schemas` list or `identity.default_schema_id` is wrong. */
export class IdentitySchemaConfigError extends IdentitySchemaError {
  readonly code = 'identity_schema_config_invalid';
  override readonly name = 'IdentitySchemaConfigError';
}

/** Narrows an unknown thrown value to an {@link IdentitySchemaError}. */
export function isIdentitySchemaError(value: unknown): value is IdentitySchemaError {
  return value instanceof IdentitySchemaError;
}

function describeSource({ schemaId, url }: IdentitySchemaErrorSource): string {
  // base64:// URLs can be kilobytes long; the head is enough to recognise one in a log line.
  const shownUrl = url !== undefined && url.length > 120 ? `${url.slice(0, 117)}...` : url;
  if (schemaId !== undefined && shownUrl !== undefined) return `identity schema "${schemaId}" (${shownUrl})`;
  if (schemaId !== undefined) return `identity schema "${schemaId}"`;
  if (shownUrl !== undefined) return `identity schema ${shownUrl}`;
  return 'identity schemas';
}
