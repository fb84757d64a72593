import type { JsonObject, JsonValue } from '../kernel/json.js';

/**
 * The identity aggregate as Kratos exposes it (`identity` in the OpenAPI spec).
 * Credentials' secrets (`config`) live on the aggregate but never leave through an API
 * unless a caller asks for them explicitly and may see them.
 */

export type IdentityState = 'active' | 'inactive';

/** Credential types Kratos knows. Only some have strategies here; all can be stored. */
export type CredentialType =
  | 'password'
  | 'oidc'
  | 'totp'
  | 'lookup_secret'
  | 'webauthn'
  | 'code'
  | 'passkey'
  | 'profile'
  | 'saml';

export const CREDENTIAL_TYPES: readonly CredentialType[] = [
  'password',
  'oidc',
  'totp',
  'lookup_secret',
  'webauthn',
  'code',
  'passkey',
  'profile',
  'saml',
];

export type { JsonObject, JsonValue };

export interface Credential {
  type: CredentialType;
  /** Normalised identifiers this credential answers to, unique per type across identities. */
  identifiers: string[];
  /** Type-specific secret material, e.g. `{ hashed_password }` for password. */
  config: JsonObject;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export type AddressVia = 'email' | 'sms';

export type VerifiableAddressStatus = 'pending' | 'sent' | 'completed';

export interface VerifiableAddress {
  id: string;
  value: string;
  via: AddressVia;
  verified: boolean;
  verified_at: Date | null;
  status: VerifiableAddressStatus;
  created_at: Date;
  updated_at: Date;
}

export interface RecoveryAddress {
  id: string;
  value: string;
  via: AddressVia;
  created_at: Date;
  updated_at: Date;
}

export interface Identity {
  id: string;
  schema_id: string;
  traits: JsonObject;
  state: IdentityState;
  state_changed_at: Date | null;
  metadata_public: JsonValue | null;
  metadata_admin: JsonValue | null;
  external_id: string | null;
  /**
   * The organization the identity belongs to (Kratos's `organization_id`), a lower-case UUID;
   * absent or null for none. Optional so that code building identities for other reasons (a
   * registration, a fixture) need not name it; the store reads it back only when set.
   */
  organization_id?: string | null;
  credentials: Partial<Record<CredentialType, Credential>>;
  verifiable_addresses: VerifiableAddress[];
  recovery_addresses: RecoveryAddress[];
  created_at: Date;
  updated_at: Date;
  /**
   * The stored row's version (optimistic concurrency; never shown in the API): set on every
   * identity read from the store, absent on one not stored yet. A write of the identity applies
   * only while the stored version is still this one (see IdentityStore.update).
   */
  version?: number;
}
