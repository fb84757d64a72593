import type { ImportedVerifiableAddress } from '../../../identity/addresses.js';
import type { JsonObject, JsonValue } from '../../../identity/model.js';
import { type JsonnetEvaluator, outcomeFailure } from '../../../jsonnet/index.js';
import { isRecord } from '../../../kernel/json.js';
import type { TemplateSource } from '../../hooks/web-hook/templates.js';
import type { ProviderClaims } from './claims.js';
import { OidcFailure } from './errors.js';

/** What a mapper made of the claims (`{identity: {traits, metadata_public, ...}}`). */
export interface MappedIdentity {
  traits: JsonObject;
  metadataPublic: JsonValue | undefined;
  metadataAdmin: JsonValue | undefined;
  /**
   * Addresses the mapper vouches are verified (typically the email when the provider says
   * `email_verified`). Only addresses the identity schema derives from the traits count.
   */
  verifiedAddresses: ImportedVerifiableAddress[];
}

export interface ClaimsMapperDeps {
  jsonnet: JsonnetEvaluator;
  templates: TemplateSource;
}

/**
 * Runs the provider's Jsonnet mapper (`mapper_url`: `file://`, `base64://` or `http(s)://`) with
 * the claims as `std.extVar('claims')`, in the sandboxed worker pool, as Kratos does.
 */
export async function mapClaims(
  deps: ClaimsMapperDeps,
  mapperUrl: string,
  claims: ProviderClaims,
): Promise<MappedIdentity> {
  let source: string;
  try {
    source = await deps.templates.load(mapperUrl);
  } catch (error) {
    throw new OidcFailure('mapper', 'The claims mapper could not be loaded.', { cause: error });
  }
  const outcome = await deps.jsonnet.evaluate(source, { claims }, { filename: mapperUrl });
  if (outcome.kind !== 'ok')
    throw new OidcFailure('mapper', `The claims mapper failed: ${outcomeFailure(outcome)}`);
  const identity = isRecord(outcome.value) ? outcome.value.identity : undefined;
  if (!isRecord(identity) || !isRecord(identity.traits)) {
    throw new OidcFailure('mapper', 'The claims mapper returned no identity.traits object.');
  }
  return {
    traits: identity.traits as JsonObject,
    metadataPublic: identity.metadata_public as JsonValue | undefined,
    metadataAdmin: identity.metadata_admin as JsonValue | undefined,
    verifiedAddresses: verifiedAddresses(identity.verified_addresses),
  };
}

function verifiedAddresses(value: unknown): ImportedVerifiableAddress[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isRecord)
    .filter((a) => typeof a.value === 'string' && typeof a.via === 'string')
    .map((a) => ({ value: a.value as string, via: a.via as string, verified: true, status: 'completed' }));
}
