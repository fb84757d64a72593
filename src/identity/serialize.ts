import type {
  Credential,
  Identity,
  JsonObject,
  JsonValue,
  RecoveryAddress,
  VerifiableAddress,
} from './model.js';

export interface SerializeOptions {
  schemaUrl: string;
  /** Admin views carry credentials (without their config unless asked) and `metadata_admin`. */
  admin: boolean;
  /**
   * The `config` an admin view shows for a credential, when it shows one (`include_credential`,
   * see the admin routes): undefined leaves it out, as for every credential by default.
   */
  credentialConfig?(credential: Credential): JsonObject | undefined;
  /**
   * Leaves `credentials` out of an admin view: Kratos's identity list loads them only when a
   * credential filter or `include_credential` asks (its ExpandDefault holds the addresses alone).
   */
  omitCredentials?: boolean;
}

const iso = (d: Date): string => d.toISOString();

/**
 * The identity in Kratos's JSON shape. Credential `config` (hashes, sealed tokens) is omitted
 * unless `credentialConfig` shows it: the admin API's `include_credential`.
 */
export function serializeIdentity(identity: Identity, options: SerializeOptions): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {
    id: identity.id,
    schema_id: identity.schema_id,
    schema_url: options.schemaUrl,
    state: identity.state,
    traits: identity.traits,
    verifiable_addresses: identity.verifiable_addresses.map(serializeVerifiableAddress),
    recovery_addresses: identity.recovery_addresses.map(serializeRecoveryAddress),
    metadata_public: identity.metadata_public,
    created_at: iso(identity.created_at),
    updated_at: iso(identity.updated_at),
    organization_id: identity.organization_id ?? null,
  };
  if (identity.state_changed_at) out.state_changed_at = iso(identity.state_changed_at);
  if (identity.external_id !== null) out.external_id = identity.external_id;
  if (options.admin) {
    out.metadata_admin = identity.metadata_admin;
    if (options.omitCredentials) return out;
    const credentials: Record<string, JsonValue> = {};
    for (const credential of Object.values(identity.credentials)) {
      if (!credential) continue;
      const config = options.credentialConfig?.(credential);
      credentials[credential.type] =
        config === undefined
          ? serializeCredential(credential)
          : { ...serializeCredential(credential), config };
    }
    out.credentials = credentials;
  }
  return out;
}

function serializeCredential(credential: Credential): Record<string, JsonValue> {
  return {
    type: credential.type,
    identifiers: credential.identifiers,
    version: credential.version,
    created_at: iso(credential.created_at),
    updated_at: iso(credential.updated_at),
  };
}

function serializeVerifiableAddress(a: VerifiableAddress): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {
    id: a.id,
    value: a.value,
    verified: a.verified,
    via: a.via,
    status: a.status,
    created_at: iso(a.created_at),
    updated_at: iso(a.updated_at),
  };
  if (a.verified_at) out.verified_at = iso(a.verified_at);
  return out;
}

function serializeRecoveryAddress(a: RecoveryAddress): Record<string, JsonValue> {
  return {
    id: a.id,
    value: a.value,
    via: a.via,
    created_at: iso(a.created_at),
    updated_at: iso(a.updated_at),
  };
}
