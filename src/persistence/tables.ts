import type { ColumnType, Generated } from 'kysely';

/** Timestamps bind as Date and read back as Date (PostgreSQL) or ISO text (SQLite). */
export type Timestamp = ColumnType<Date | string, Date, Date>;
export type NullableTimestamp = ColumnType<Date | string | null, Date | null, Date | null>;
/** Booleans bind as boolean and read back as boolean (PostgreSQL) or 0/1 (SQLite). */
export type Bool = ColumnType<boolean | number, boolean, boolean>;
/** JSON binds as text and reads back parsed (jsonb) or as text (SQLite). */
export type Json = ColumnType<unknown, string, string>;
export type NullableJson = ColumnType<unknown, string | null, string | null>;

export interface IdentitiesTable {
  id: string;
  schema_id: string;
  traits: Json;
  state: string;
  state_changed_at: NullableTimestamp;
  metadata_public: NullableJson;
  metadata_admin: NullableJson;
  external_id: string | null;
  /** The organization the identity belongs to, a lower-case UUID, or NULL (migration 0012). */
  organization_id: string | null;
  /**
   * Optimistic concurrency (migration 0011): 0 when inserted, moved on by every write of the
   * identity and (by triggers) every in-place update of its credentials and addresses; a
   * conditional write names the version it read.
   */
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityCredentialsTable {
  id: string;
  identity_id: string;
  type: string;
  config: Json;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityCredentialIdentifiersTable {
  id: string;
  identity_id: string;
  credential_id: string;
  type: string;
  identifier: string;
}

export interface IdentityVerifiableAddressesTable {
  id: string;
  identity_id: string;
  via: string;
  value: string;
  verified: Bool;
  verified_at: NullableTimestamp;
  status: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityRecoveryAddressesTable {
  id: string;
  identity_id: string;
  via: string;
  value: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  identity_id: string;
  token_hash: string;
  logout_token_hash: string;
  active: Bool;
  aal: string;
  authentication_methods: Json;
  devices: Json;
  issued_at: Timestamp;
  authenticated_at: Timestamp;
  expires_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SelfServiceFlowsTable {
  id: string;
  kind: string;
  type: string;
  state: string;
  request_url: string;
  return_to: string | null;
  active: string | null;
  ui: Json;
  refresh: Bool;
  requested_aal: string;
  internal: Json;
  issued_at: Timestamp;
  expires_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CourierMessagesTable {
  id: string;
  type: string;
  status: string;
  recipient: string;
  subject: string;
  body: string;
  html_body: string | null;
  template_type: string;
  template_data: NullableJson;
  channel: string | null;
  send_count: number;
  next_attempt_at: Timestamp;
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CourierMessageDispatchesTable {
  id: string;
  message_id: string;
  status: string;
  error: NullableJson;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SelfServiceFlowAttemptsTable {
  flow_id: string;
  count: number;
  updated_at: Timestamp;
}

export interface SelfServiceCodesTable {
  id: string;
  flow_kind: string;
  method: string;
  flow_id: string;
  identity_id: string;
  address: string;
  code_hash: string;
  used_at: NullableTimestamp;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  url: string;
  method: string;
  headers: Json;
  body: string | null;
  hook_name: string;
  status: string;
  attempts: number;
  next_attempt_at: Timestamp;
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SelfServiceErrorsTable {
  id: string;
  errors: Json;
  csrf_token: string;
  seen_at: NullableTimestamp;
  was_seen: Bool;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** An OpenID Connect sign-in between redirect and callback (migration 0008). */
export interface SelfServiceOidcStatesTable {
  state_hash: string;
  flow_id: string;
  flow_kind: string;
  provider: string;
  browser_hash: string;
  pkce_verifier: string | null;
  nonce: string | null;
  expires_at: Timestamp;
  created_at: Timestamp;
}

/** Every table the stores use; later migrations add theirs here. */
export interface Tables {
  selfservice_flows: SelfServiceFlowsTable;
  selfservice_codes: SelfServiceCodesTable;
  selfservice_flow_attempts: SelfServiceFlowAttemptsTable;
  selfservice_errors: SelfServiceErrorsTable;
  selfservice_oidc_states: SelfServiceOidcStatesTable;
  courier_messages: CourierMessagesTable;
  courier_message_dispatches: CourierMessageDispatchesTable;
  sessions: SessionsTable;
  identities: IdentitiesTable;
  identity_credentials: IdentityCredentialsTable;
  identity_credential_identifiers: IdentityCredentialIdentifiersTable;
  identity_verifiable_addresses: IdentityVerifiableAddressesTable;
  identity_recovery_addresses: IdentityRecoveryAddressesTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
