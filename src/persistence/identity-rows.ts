import type { Selectable } from 'kysely';
import type {
  AddressVia,
  Credential,
  CredentialType,
  Identity,
  IdentityState,
  JsonObject,
  JsonValue,
  RecoveryAddress,
  VerifiableAddress,
  VerifiableAddressStatus,
} from '../identity/model.js';
import { fromJson, fromJsonOrNull, toBool, toDate, toDateOrNull } from './row-codec.js';
import type {
  IdentitiesTable,
  IdentityCredentialIdentifiersTable,
  IdentityCredentialsTable,
  IdentityRecoveryAddressesTable,
  IdentityVerifiableAddressesTable,
} from './tables.js';

/** The rows that make up one identity, as loaded in bulk for a page of identities. */
export interface IdentityRowSet {
  identities: Selectable<IdentitiesTable>[];
  credentials: Selectable<IdentityCredentialsTable>[];
  /** Only the columns that name a credential's identifiers are read. */
  identifiers: Pick<Selectable<IdentityCredentialIdentifiersTable>, 'credential_id' | 'identifier'>[];
  verifiable: Selectable<IdentityVerifiableAddressesTable>[];
  recovery: Selectable<IdentityRecoveryAddressesTable>[];
}

/** A credential row with one of its identifiers (null when it has none): a credentials-identifiers join. */
export type CredentialIdentifierRow = Selectable<IdentityCredentialsTable> & { identifier: string | null };

/**
 * Splits the rows of `identity_credentials LEFT JOIN identity_credential_identifiers` (one row per
 * credential and identifier) into the two lists {@link assembleIdentities} takes, so one statement
 * reads what two did.
 */
export function splitCredentialRows(rows: readonly CredentialIdentifierRow[]): {
  credentials: Selectable<IdentityCredentialsTable>[];
  identifiers: IdentityRowSet['identifiers'];
} {
  const credentials: Selectable<IdentityCredentialsTable>[] = [];
  const identifiers: IdentityRowSet['identifiers'] = [];
  const seen = new Set<string>();
  for (const { identifier, ...credential } of rows) {
    if (!seen.has(credential.id)) {
      seen.add(credential.id);
      credentials.push(credential);
    }
    if (identifier !== null) identifiers.push({ credential_id: credential.id, identifier });
  }
  return { credentials, identifiers };
}

function groupBy<T extends { identity_id: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(row.identity_id);
    if (list) list.push(row);
    else out.set(row.identity_id, [row]);
  }
  return out;
}

/**
 * Assembles identities from their rows, keeping the order of `rows.identities`, each with the
 * `version` its row is at (what a conditional write names) and its `organization_id` when it has
 * one.
 */
export function assembleIdentities(rows: IdentityRowSet): Identity[] {
  const credentials = groupBy(rows.credentials);
  const verifiable = groupBy(rows.verifiable);
  const recovery = groupBy(rows.recovery);
  const identifiersByCredential = new Map<string, string[]>();
  for (const row of rows.identifiers) {
    const list = identifiersByCredential.get(row.credential_id);
    if (list) list.push(row.identifier);
    else identifiersByCredential.set(row.credential_id, [row.identifier]);
  }

  return rows.identities.map((row) => {
    const creds: Identity['credentials'] = {};
    for (const c of credentials.get(row.id) ?? []) {
      const credential: Credential = {
        type: c.type as CredentialType,
        identifiers: (identifiersByCredential.get(c.id) ?? []).sort(),
        config: fromJson<JsonObject>(c.config),
        version: c.version,
        created_at: toDate(c.created_at),
        updated_at: toDate(c.updated_at),
      };
      creds[credential.type] = credential;
    }
    const identity: Identity = {
      id: row.id,
      schema_id: row.schema_id,
      traits: fromJson<JsonObject>(row.traits),
      state: row.state as IdentityState,
      state_changed_at: toDateOrNull(row.state_changed_at),
      metadata_public: fromJsonOrNull<JsonValue>(row.metadata_public),
      metadata_admin: fromJsonOrNull<JsonValue>(row.metadata_admin),
      external_id: row.external_id,
      credentials: creds,
      verifiable_addresses: (verifiable.get(row.id) ?? []).map(toVerifiableAddress).sort(byCreatedThenValue),
      recovery_addresses: (recovery.get(row.id) ?? []).map(toRecoveryAddress).sort(byCreatedThenValue),
      created_at: toDate(row.created_at),
      updated_at: toDate(row.updated_at),
      version: Number(row.version),
    };
    if (row.organization_id) identity.organization_id = row.organization_id;
    return identity;
  });
}

function byCreatedThenValue(
  a: { created_at: Date; value: string },
  b: { created_at: Date; value: string },
): number {
  return a.created_at.getTime() - b.created_at.getTime() || a.value.localeCompare(b.value);
}

function toVerifiableAddress(row: Selectable<IdentityVerifiableAddressesTable>): VerifiableAddress {
  return {
    id: row.id,
    value: row.value,
    via: row.via as AddressVia,
    verified: toBool(row.verified),
    verified_at: toDateOrNull(row.verified_at),
    status: row.status as VerifiableAddressStatus,
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}

function toRecoveryAddress(row: Selectable<IdentityRecoveryAddressesTable>): RecoveryAddress {
  return {
    id: row.id,
    value: row.value,
    via: row.via as AddressVia,
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}
