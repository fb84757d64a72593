import type { ImportedVerifiableAddress } from '../../identity/addresses.js';
import type { CreateIdentityBody, UpdateIdentityBody } from '../../identity/bodies.js';
import type { JsonValue } from '../../identity/model.js';
import type { IdentityPatch } from './web-hook/response.js';

/** The identity a registration is about to create, as hooks see it in `ctx.identity`. */
export function draftIdentityJson(body: CreateIdentityBody): JsonValue {
  return {
    schema_id: body.schema_id,
    state: body.state ?? 'active',
    traits: body.traits,
    metadata_public: body.metadata_public ?? null,
    metadata_admin: body.metadata_admin ?? null,
    verifiable_addresses: (body.verifiable_addresses ?? []) as unknown as JsonValue,
    recovery_addresses: (body.recovery_addresses ?? []) as unknown as JsonValue,
  };
}

/**
 * A parse hook's changes applied to the identity about to be created. The result is validated
 * against its schema again when it is created, like any other identity.
 */
export function applyIdentityPatch(body: CreateIdentityBody, patch: IdentityPatch): CreateIdentityBody {
  const next: CreateIdentityBody = { ...body };
  if (patch.traits !== undefined) next.traits = patch.traits;
  if (patch.schema_id !== undefined) next.schema_id = patch.schema_id;
  if (patch.state === 'active' || patch.state === 'inactive') next.state = patch.state;
  if (patch.metadata_public !== undefined) next.metadata_public = patch.metadata_public;
  if (patch.metadata_admin !== undefined) next.metadata_admin = patch.metadata_admin;
  if (patch.verifiable_addresses !== undefined)
    next.verifiable_addresses = patch.verifiable_addresses as unknown as ImportedVerifiableAddress[];
  if (patch.recovery_addresses !== undefined)
    next.recovery_addresses = patch.recovery_addresses as unknown as { value: string; via: string }[];
  if (patch.external_id !== undefined) next.external_id = patch.external_id ?? undefined;
  return next;
}

/** The same for an identity about to be updated (settings): traits, schema, state, metadata, external_id. */
export function applyIdentityPatchToUpdate(
  body: UpdateIdentityBody,
  patch: IdentityPatch,
): UpdateIdentityBody {
  const next: UpdateIdentityBody = { ...body };
  if (patch.traits !== undefined) next.traits = patch.traits;
  if (patch.schema_id !== undefined) next.schema_id = patch.schema_id;
  if (patch.state === 'active' || patch.state === 'inactive') next.state = patch.state;
  if (patch.metadata_public !== undefined) next.metadata_public = patch.metadata_public;
  if (patch.metadata_admin !== undefined) next.metadata_admin = patch.metadata_admin;
  if (patch.external_id !== undefined) next.external_id = patch.external_id ?? undefined;
  return next;
}
