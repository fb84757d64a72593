import type { ImportedVerifiableAddress } from './addresses.js';
import type { JsonObject, JsonValue } from './model.js';
import type { SealedProviderTokens } from './provider-tokens.js';

/** One linked provider account in an `oidc` credential body. */
export interface ImportedProvider {
  provider: string;
  subject: string;
  use_auto_link?: boolean;
  /** The tokens the provider issued at linking; set by the oidc strategy, never read from JSON. */
  tokens?: SealedProviderTokens;
}

/** `identityWithCredentials` from the Kratos spec: credentials an admin imports. */
export interface ImportedCredentials {
  password?: {
    config?: { password?: string; hashed_password?: string; use_password_migration_hook?: boolean };
  };
  oidc?: { config?: { providers?: ImportedProvider[] } };
  [other: string]: unknown;
}

/** `createIdentityBody` from the Kratos spec, as the identity manager takes it. */
export interface CreateIdentityBody {
  /** `""` is the default schema, as Kratos's manager.Create reads it. */
  schema_id: string;
  traits: JsonObject;
  state?: 'active' | 'inactive';
  metadata_public?: JsonValue;
  metadata_admin?: JsonValue;
  /** `""` is no external id, as in Kratos. */
  external_id?: string;
  /** The organization the identity belongs to: a UUID, or null for none. */
  organization_id?: string | null;
  credentials?: ImportedCredentials;
  verifiable_addresses?: ImportedVerifiableAddress[];
  recovery_addresses?: { value: string; via: string }[];
}

/** `updateIdentityBody` from the Kratos spec (PUT replaces everything but credentials). */
export interface UpdateIdentityBody {
  schema_id: string;
  traits: JsonObject;
  state: 'active' | 'inactive';
  metadata_public?: JsonValue;
  metadata_admin?: JsonValue;
  external_id?: string;
  credentials?: ImportedCredentials;
}

/**
 * The body of `PUT /admin/identities/{id}` as Kratos's `update` reads it: a schema_id or state
 * that is empty or absent keeps the stored one (the spec marks them required, so SDK callers
 * always send them).
 */
export interface ReplaceIdentityBody extends Omit<UpdateIdentityBody, 'schema_id' | 'state'> {
  schema_id?: string;
  state?: 'active' | 'inactive' | '';
}

/** An oidc or password import as a body may carry it: `null` for either is none (see credentialsSchema). */
type CredentialsJson = Omit<ImportedCredentials, 'password' | 'oidc'> & {
  password?: ImportedCredentials['password'] | null;
  oidc?: ImportedCredentials['oidc'] | null;
};

/** `POST /admin/identities` (and a batch item's `create`) as the body schema lets it through. */
export interface CreateIdentityJson
  extends Omit<
    CreateIdentityBody,
    'schema_id' | 'state' | 'external_id' | 'credentials' | 'verifiable_addresses' | 'recovery_addresses'
  > {
  schema_id?: string | null;
  state?: 'active' | 'inactive' | '' | null;
  external_id?: string | null;
  credentials?: CredentialsJson | null;
  verifiable_addresses?:
    | (Omit<ImportedVerifiableAddress, 'verified_at'> & { verified_at?: string | null })[]
    | null;
  recovery_addresses?: { value: string; via: string }[] | null;
}

/** `PUT /admin/identities/{id}` as the body schema lets it through. */
export interface ReplaceIdentityJson
  extends Omit<ReplaceIdentityBody, 'schema_id' | 'state' | 'external_id' | 'credentials'> {
  schema_id?: string | null;
  state?: 'active' | 'inactive' | '' | null;
  external_id?: string | null;
  credentials?: CredentialsJson | null;
}

/** The credentials to import, `null`s read as Go reads them (none). */
function credentialsFromJson(json: CredentialsJson | null | undefined): ImportedCredentials | undefined {
  if (json === null || json === undefined) return undefined;
  const { password, oidc, ...rest } = json;
  return {
    ...rest,
    ...(password === null || password === undefined ? {} : { password }),
    ...(oidc === null || oidc === undefined ? {} : { oidc }),
  };
}

/**
 * A create body as Kratos's handler decodes it (identity/handler.go `create`,
 * identityFromCreateIdentityBody): `null` is absent, an empty state is active, an empty or absent
 * schema_id stays "" for the manager to make the default schema (manager.Create), and an imported
 * `verified_at` must be a date-time as Go's time.Time reads one (RFC 3339), else a 400
 * (reconcileVerifiableAddresses).
 */
export function createBodyFromJson(json: CreateIdentityJson): CreateIdentityBody {
  const { schema_id, state, external_id, credentials, verifiable_addresses, recovery_addresses, ...rest } =
    json;
  const imported = credentialsFromJson(credentials);
  return {
    ...rest,
    schema_id: schema_id ?? '',
    ...(state ? { state } : {}),
    ...(external_id === null || external_id === undefined ? {} : { external_id }),
    ...(imported === undefined ? {} : { credentials: imported }),
    ...(verifiable_addresses ? { verifiable_addresses: verifiable_addresses.map(importedAddress) } : {}),
    ...(recovery_addresses ? { recovery_addresses } : {}),
  };
}

/** An imported address with a null `verified_at` read as none (the time itself is checked where it is read: reconcileVerifiableAddresses). */
function importedAddress(
  address: NonNullable<CreateIdentityJson['verifiable_addresses']>[number],
): ImportedVerifiableAddress {
  const { verified_at, ...rest } = address;
  return verified_at === null || verified_at === undefined ? rest : { ...rest, verified_at };
}

/**
 * A PUT body as Kratos's `update` decodes it: `null` is absent, so `credentials: null` keeps the
 * stored credentials ("if the Credentials are not supplied keep the old one"), a null schema_id or
 * state keeps the stored one and a null external_id clears it, as "" does.
 */
export function replaceBodyFromJson(json: ReplaceIdentityJson): ReplaceIdentityBody {
  const { schema_id, state, external_id, credentials, ...rest } = json;
  const imported = credentialsFromJson(credentials);
  return {
    ...rest,
    ...(schema_id === null || schema_id === undefined ? {} : { schema_id }),
    ...(state === null || state === undefined ? {} : { state }),
    ...(external_id === null || external_id === undefined ? {} : { external_id }),
    ...(imported === undefined ? {} : { credentials: imported }),
  };
}

/**
 * A UUID in the spellings Kratos's uuid type parses (gofrs `UnmarshalText`): canonical, 32 hex
 * digits, either in braces, or after `urn:uuid:`.
 */
const UUID_SPELLINGS =
  '^(?:urn:uuid:)?(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})$|^\\{(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})\\}$';

const passwordConfig = {
  type: 'object',
  properties: {
    password: { type: 'string', maxLength: 4096 },
    hashed_password: { type: 'string', maxLength: 4096 },
    use_password_migration_hook: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

// A `null` where Kratos decodes into a pointer, slice or plain string (credentials, its password
// and oidc, the address lists, schema_id, state, external_id) is that field left out, as Go's
// encoding/json decodes null: the bodies' schemas take it, and the *FromJson readers below drop it.
const credentialsSchema = {
  type: ['object', 'null'],
  properties: {
    password: { type: ['object', 'null'], properties: { config: passwordConfig } },
    oidc: {
      type: ['object', 'null'],
      properties: {
        config: {
          type: 'object',
          properties: {
            providers: {
              type: 'array',
              items: {
                type: 'object',
                required: ['provider', 'subject'],
                properties: {
                  provider: { type: 'string', minLength: 1 },
                  subject: { type: 'string', minLength: 1 },
                  use_auto_link: { type: 'boolean' },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** The fields create (POST) and replace (PUT) share. */
const identityFields = {
  // "" (or none) is the default schema on create, the stored one on PUT (Kratos's manager.Create
  // and update).
  schema_id: { type: ['string', 'null'] },
  traits: { type: 'object' },
  // "" (or none) is active on create (identityFromCreateIdentityBody), the stored state on PUT.
  state: { type: ['string', 'null'], enum: ['active', 'inactive', '', null] },
  metadata_public: {},
  metadata_admin: {},
  // "" is no external id (Kratos's sqlxx.NullString): a PUT with "" clears it.
  external_id: { type: ['string', 'null'], maxLength: 255 },
  credentials: credentialsSchema,
} as const;

/** JSON Schemas of the request bodies, for Fastify's schema-first validation. */
export const createIdentityBodySchema = {
  type: 'object',
  required: ['traits'],
  // As Kratos's strict decoder (jsonx.NewStrictDecoder): a field it does not know (a typo such as
  // `metadata_publik`) is a 400, not silently dropped with what it carried.
  additionalProperties: false,
  properties: {
    ...identityFields,
    // Kratos's uuid.NullUUID: a UUID, or null for none; anything else ("" too) fails the body (400).
    organization_id: { type: ['string', 'null'], pattern: UUID_SPELLINGS },
    verifiable_addresses: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['value', 'via'],
        properties: {
          value: { type: 'string' },
          via: { type: 'string' },
          verified: { type: 'boolean' },
          status: { type: 'string' },
          // Kratos's *sqlxx.NullTime: an RFC 3339 date-time or null; anything else ("" too) fails
          // the body as Go's time.Time decoding does, a 400 (createBodyFromJson checks it as Go
          // parses it).
          verified_at: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    },
    recovery_addresses: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['value', 'via'],
        properties: { value: { type: 'string' }, via: { type: 'string' } },
      },
    },
  },
} as const;

export const updateIdentityBodySchema = {
  type: 'object',
  required: ['traits'],
  properties: {
    ...identityFields,
  },
} as const;

export const jsonPatchBodySchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['op', 'path'],
    properties: {
      op: { type: 'string', enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
      path: { type: 'string' },
      from: { type: 'string' },
      value: {},
    },
  },
} as const;

/** Kratos caps batches at 1000 (hashed) and 200 (plain-text passwords). */
export const MAX_BATCH = 1000;
export const MAX_BATCH_WITH_PLAINTEXT = 200;

export const batchPatchBodySchema = {
  type: 'object',
  required: ['identities'],
  properties: {
    identities: {
      type: 'array',
      maxItems: MAX_BATCH,
      items: {
        type: 'object',
        properties: {
          create: createIdentityBodySchema,
          patch_id: { type: 'string', format: 'uuid' },
        },
      },
    },
  },
} as const;
