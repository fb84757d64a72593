import type { AddressVia, JsonObject } from './model.js';

/** The result of validating traits against an identity schema. */
export type TraitsValidation =
  | {
      ok: true;
      /** Traits with schema defaults applied. */
      traits: JsonObject;
      /** Normalised login identifiers by credential type, from the `ory.sh/kratos` extension. */
      identifiers: Partial<Record<string, string[]>>;
      verifiable: { value: string; via: AddressVia }[];
      recovery: { value: string; via: AddressVia }[];
    }
  | {
      ok: false;
      /** `keyword` is the JSON Schema keyword that failed; `context` its parameters (e.g. `{property}`). */
      errors: { pointer: string; message: string; keyword: string; context: JsonObject }[];
    };

/** What the identity manager needs from the schema registry. */
export interface IdentitySchemas {
  readonly defaultId: string;
  validate(schemaId: string, traits: unknown): TraitsValidation | undefined;
  /** Where the schema can be fetched, as emitted in `schema_url`. */
  schemaUrl(schemaId: string): string;
}

/** What the identity manager needs from password hashing. */
export interface PasswordHashing {
  hash(password: string): Promise<string>;
  isSupportedHash(encoded: string): boolean;
}
