/**
 * The message for a registration whose identifier is taken, as Kratos's identity.Manager.Create
 * answers a unique violation: with `selfservice.flows.registration.login_hints` on, it looks up
 * the account in the way (ConflictingIdentity) and says how that account signs in (4000028,
 * findExistingAuthMethod and schema.NewDuplicateCredentialsError); otherwise, or when no account
 * is found, only that the identifier exists (4000007).
 */

import type { CreateIdentityBody } from '../../identity/bodies.js';
import type { Credential, Identity, JsonValue } from '../../identity/model.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';
import { linkedProviders } from '../strategies/oidc/credentials.js';
import type { RegistrationDeps } from './deps.js';

/** The account that holds what the new one asked for, and which value collided. */
interface Conflict {
  identity: Identity;
  value: string;
  /** A credential type for an identifier conflict, the address's `via` for an address one. */
  kind: string;
}

type HintDeps = Pick<RegistrationDeps, 'config' | 'identities' | 'schemas' | 'addresses'>;

/** 4000028 with the existing account's sign-in methods when login hints are on and it is found; else 4000007. */
export async function duplicateCredentialsMessage(deps: HintDeps, body: CreateIdentityBody): Promise<UiText> {
  const plain = uiText(Msg.ErrorValidationDuplicateCredentials);
  if (!deps.config.registration.loginHints) return plain;
  const conflict = await conflictingIdentity(deps, body);
  if (conflict === undefined) return plain;
  const hints = loginHints(conflict);
  // As Kratos's HasHints: nothing to tell is the plain message.
  const empty =
    hints.available_credential_types.length === 0 &&
    hints.available_oidc_providers.length === 0 &&
    hints.credential_identifier_hint === '';
  return empty ? plain : uiText(Msg.ErrorValidationDuplicateCredentialsWithHints, hints);
}

/**
 * Kratos's Manager.ConflictingIdentity: the account holding one of the new identity's credential
 * identifiers, else one of its verifiable addresses, else one of its recovery addresses.
 */
async function conflictingIdentity(deps: HintDeps, body: CreateIdentityBody): Promise<Conflict | undefined> {
  const validation = deps.schemas.validate(body.schema_id, body.traits);
  if (validation === undefined || !validation.ok) return undefined;
  // The new identity's credential identifiers: a password sign-up has the password's only.
  for (const identifier of validation.identifiers.password ?? []) {
    const identity = await byCredentialIdentifier(deps, 'password', identifier);
    if (identity !== undefined) return { identity, value: identifier, kind: 'password' };
  }
  const addresses = deps.addresses;
  if (addresses === undefined) return undefined;
  for (const address of validation.verifiable) {
    const identity = await owner(deps, await addresses.identityIdByVerifiableAddress(address.value));
    if (identity !== undefined) return { identity, value: address.value, kind: address.via };
  }
  for (const address of validation.recovery) {
    const identity = await owner(deps, await addresses.identityIdByRecoveryAddress(address.value));
    if (identity !== undefined) return { identity, value: address.value, kind: address.via };
  }
  return undefined;
}

/** The identity whose `type` credential answers to `identifier` (Kratos's FindByCredentialsIdentifier). */
async function byCredentialIdentifier(
  deps: HintDeps,
  type: 'password',
  identifier: string,
): Promise<Identity | undefined> {
  const { identities } = await deps.identities.list({
    pageSize: 10,
    credentialsIdentifier: { exact: identifier, normalized: identifier, match: 'equal' },
  });
  return identities.find((identity) => identity.credentials[type]?.identifiers.includes(identifier));
}

async function owner(deps: HintDeps, id: string | undefined): Promise<Identity | undefined> {
  if (id === undefined) return undefined;
  try {
    return await deps.identities.get(id);
  } catch {
    // Deleted since the conflict: nothing to hint at, as Kratos's lookup finding no row.
    return undefined;
  }
}

/** Kratos's findExistingAuthMethod: the first-factor methods of the account in the way, sorted. */
function loginHints(conflict: Conflict) {
  // An OIDC subject means nothing to the person, so Kratos gives no hint for one.
  let hint = conflict.kind === 'oidc' ? '' : conflict.value.trim();
  const types: string[] = [];
  let providers: string[] = [];
  const credentials = Object.values(conflict.identity.credentials)
    .filter((credential): credential is Credential => credential !== undefined)
    .sort((a, b) => a.type.localeCompare(b.type));
  for (const credential of credentials) {
    const single = credential.identifiers.length === 1 ? (credential.identifiers[0] ?? '') : '';
    switch (credential.type) {
      case 'password':
        if (hint === '') hint = single;
        // Only a password it has a hash for, as Kratos (a migration-hook account has none yet).
        if (isNonEmptyString(credential.config.hashed_password)) types.push('password');
        break;
      case 'code':
        types.push('code');
        break;
      case 'oidc':
        providers = linkedProviders(conflict.identity).map((linked) => linked.provider);
        types.push('oidc');
        break;
      case 'webauthn':
      case 'passkey':
        if (hint === '') hint = single;
        if (hasPasswordlessKey(credential)) types.push(credential.type);
        break;
      default:
        // Second factors do not help anyone find their way in.
        break;
    }
  }
  return {
    available_credential_types: types.sort(),
    available_oidc_providers: providers.sort(),
    credential_identifier_hint: hint,
  };
}

function isNonEmptyString(value: JsonValue | undefined): boolean {
  return typeof value === 'string' && value !== '';
}

/** A webauthn or passkey credential with a key usable without a password (`is_passwordless`). */
function hasPasswordlessKey(credential: Credential): boolean {
  const keys = credential.config.credentials;
  return (
    Array.isArray(keys) &&
    keys.some(
      (key) => typeof key === 'object' && key !== null && !Array.isArray(key) && key.is_passwordless === true,
    )
  );
}
