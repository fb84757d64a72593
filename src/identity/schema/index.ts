/**
 * Identity schemas: loading Kratos-compatible JSON Schemas, validating traits against them,
 * the `ory.sh/kratos` extension (identifiers, verifiable and recovery addresses) and
 * identifier normalisation.
 */

export {
  IdentitySchemaConfigError,
  IdentitySchemaError,
  type IdentitySchemaErrorCode,
  type IdentitySchemaErrorSource,
  IdentitySchemaInvalidError,
  IdentitySchemaUnreachableError,
  isIdentitySchemaError,
} from './errors.js';
export {
  DEFAULT_SCHEMA_FETCH_TIMEOUT_MS,
  DEFAULT_SCHEMA_MAX_BYTES,
  type LoadSchemaOptions,
  loadSchemaDocument,
} from './load.js';
export {
  type IdentifierKind,
  identifierKindFor,
  normalizeIdentifier,
  normalizeIdentifierGraceful,
} from './normalize.js';
export {
  DEFAULT_SCHEMA_DOCUMENT,
  DEFAULT_SCHEMA_ID,
  DEFAULT_SCHEMA_URL,
  DEFAULT_SCHEMAS,
} from './presets.js';
export { createSchemaRegistry, type SchemaEntry, type SchemaRegistryOptions } from './registry.js';
export type {
  AddressEntry,
  IdentifierCredentialType,
  IdentitySchema,
  InvalidTraits,
  SchemaRegistry,
  TraitsValidationError,
  TraitsValidationResult,
  ValidTraits,
} from './types.js';
