/** Public types of the identity schema module. */

import type { AddressVia, JsonObject } from '../model.js';

/** Credential types whose identifiers come from traits marked in the schema. */
export type IdentifierCredentialType = 'password' | 'webauthn' | 'code';

/** A normalised address and the channel that reaches it. */
export interface AddressEntry {
  value: string;
  via: AddressVia;
}

/** One reason why traits do not satisfy the identity schema. */
export interface TraitsValidationError {
  /** JSON pointer into the validated identity, Kratos-style: `#/traits/email`. */
  pointer: string;
  /** Kratos's (ory/jsonschema's) wording, e.g. `missing properties: "fullname"`. */
  message: string;
  /** The JSON Schema keyword that failed: `required`, `enum`, `format`, `additionalProperties`, ... */
  keyword: string;
  /**
   * Values for building a localised UI message, under the key names Kratos uses in its message
   * `context` (`property`, `min_length`, `actual_length`, `allowed_types`, ...). Empty when the
   * keyword has none.
   */
  context: JsonObject;
}

/** Traits that satisfy the schema, with what the `ory.sh/kratos` extension derived from them. */
export interface ValidTraits {
  ok: true;
  /**
   * A deep copy of the input, exactly as sent: schema `default`s are never filled in (as in
   * Kratos). The input is never mutated.
   */
  traits: JsonObject;
  /** Normalised, de-duplicated identifiers per credential type (empty arrays when none). */
  identifiers: Record<IdentifierCredentialType, string[]>;
  /** Addresses a one-time code may be sent to (`credentials.code.identifier` with its `via`). */
  codeAddresses: AddressEntry[];
  /** Addresses to verify (`verification.via`). */
  verifiable: AddressEntry[];
  /** Addresses that may recover the account (`recovery.via`). */
  recovery: AddressEntry[];
  /**
   * Name shown for a passkey: the trait marked `credentials.passkey.display_name`, else the
   * first WebAuthn identifier, as in Kratos. Undefined when neither exists.
   */
  passkeyDisplayName: string | undefined;
  /** The trait marked `credentials.totp.account_name`; Kratos falls back to the identity id. */
  totpAccountName: string | undefined;
}

/** Traits that do not satisfy the schema. */
export interface InvalidTraits {
  ok: false;
  errors: TraitsValidationError[];
}

/** Outcome of {@link IdentitySchema.validate}. */
export type TraitsValidationResult = ValidTraits | InvalidTraits;

/** One configured identity schema, loaded and compiled. */
export interface IdentitySchema {
  /** Id from the config, e.g. `default`, `customer`. */
  readonly id: string;
  /** URL it was loaded from, as configured. */
  readonly url: string;
  /** `selfservice_selectable`: self-service flows may ask for it with `?identity_schema=`. */
  readonly selfserviceSelectable: boolean;
  /** The document as loaded (frozen): what `GET /schemas/{id}` returns. */
  readonly document: Readonly<JsonObject>;
  /** Validates traits (validated as `{ traits }`, like Kratos). Never throws. */
  validate(traits: unknown): TraitsValidationResult;
}

/** The set of identity schemas the server knows. */
export interface SchemaRegistry {
  /** Id of the schema new identities get when none is given (`identity.default_schema_id`). */
  readonly defaultId: string;
  /** The schema with this id, or undefined. */
  get(id: string): IdentitySchema | undefined;
  /** The default schema. */
  getDefault(): IdentitySchema;
  /** All schemas, in config order. */
  list(): IdentitySchema[];
}
