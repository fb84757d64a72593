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

/** `createIdentityBody` from the Kratos spec. */
export interface CreateIdentityBody {
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

const credentialsSchema = {
  type: 'object',
  properties: {
    password: { type: 'object', properties: { config: passwordConfig } },
    oidc: {
      type: 'object',
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
  schema_id: { type: 'string', minLength: 1 },
  traits: { type: 'object' },
  state: { type: 'string', enum: ['active', 'inactive'] },
  metadata_public: {},
  metadata_admin: {},
  // "" is no external id (Kratos's sqlxx.NullString): a PUT with "" clears it.
  external_id: { type: 'string', maxLength: 255 },
  credentials: credentialsSchema,
} as const;

/** JSON Schemas of the request bodies, for Fastify's schema-first validation. */
export const createIdentityBodySchema = {
  type: 'object',
  required: ['schema_id', 'traits'],
  // As Kratos's strict decoder (jsonx.NewStrictDecoder): a field it does not know (a typo such as
  // `metadata_publik`) is a 400, not silently dropped with what it carried.
  additionalProperties: false,
  properties: {
    ...identityFields,
    // Kratos's uuid.NullUUID: a UUID, or null for none; anything else fails the body (400).
    organization_id: { anyOf: [{ type: 'null' }, { type: 'string', pattern: UUID_SPELLINGS }] },
    verifiable_addresses: {
      type: 'array',
      items: {
        type: 'object',
        required: ['value', 'via'],
        properties: {
          value: { type: 'string' },
          via: { type: 'string' },
          verified: { type: 'boolean' },
          status: { type: 'string' },
          verified_at: { type: 'string' },
        },
      },
    },
    recovery_addresses: {
      type: 'array',
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
    // Empty or absent: the stored one stays (see ReplaceIdentityBody).
    schema_id: { type: 'string' },
    state: { type: 'string', enum: ['active', 'inactive', ''] },
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
