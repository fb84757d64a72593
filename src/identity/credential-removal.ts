import { badRequest, notFound } from '../kernel/errors.js';
import { countActiveFirstFactors } from './first-factors.js';
import {
  CREDENTIAL_TYPES,
  type Credential,
  type CredentialType,
  type Identity,
  type JsonObject,
} from './model.js';

/**
 * The identity without its `type` credential, as `DELETE /admin/identities/{id}/credentials/{type}`
 * stores it, checked in the order of Kratos's deleteIdentityCredentials (identity/handler.go; the
 * identity itself was found, or 404, before this):
 *
 * 1. the identity has no such credential (whatever the type, known or not): 404;
 * 2. lookup_secret and totp go whole; webauthn keeps its passwordless keys only;
 * 3. password, oidc and saml: never the last first factor (400), then the password's secret goes
 *    (its identifiers stay), or the oidc/saml account `identifier` names (400 without it, 404 when
 *    no linked account has it);
 * 4. any other type (passkey, code, profile): 400, it cannot be deleted here.
 */
export function withoutCredential(
  current: Identity,
  type: string,
  identifier: string | undefined,
  at: Date,
): Identity {
  const credential = isCredentialType(type) ? current.credentials[type] : undefined;
  if (credential === undefined) {
    // Kratos's words, typo included.
    throw notFound(`You tried to remove a ${type} but this user have no ${type} set up.`);
  }
  const credentials = { ...current.credentials };
  switch (credential.type) {
    case 'lookup_secret':
    case 'totp':
      delete credentials[credential.type];
      break;
    case 'webauthn': {
      const kept = passwordlessKeys(credential);
      if (kept.length === 0) delete credentials.webauthn;
      else
        credentials.webauthn = {
          ...credential,
          config: { ...credential.config, credentials: kept },
          updated_at: at,
        };
      break;
    }
    case 'password':
    case 'oidc':
    case 'saml':
      // As Kratos: an identity keeps at least one way in; deleting it would lock the person out
      // for good (an admin who means that deletes the identity, or sets it inactive).
      if (countActiveFirstFactors(current) < 2) {
        throw badRequest('You cannot remove the last first factor credential.');
      }
      if (credential.type === 'password') {
        // The schema's identifiers stay (as Kratos keeps them): only the secret goes.
        credentials.password = { ...credential, config: {}, updated_at: at };
      } else {
        const rest = withoutLinkedAccount(credential, identifier, at);
        if (rest === undefined) delete credentials[credential.type];
        else credentials[credential.type] = rest;
      }
      break;
    default:
      throw badRequest(`Credentials type ${credential.type} cannot be deleted.`);
  }
  return { ...current, credentials, updated_at: at };
}

function isCredentialType(type: string): type is CredentialType {
  return (CREDENTIAL_TYPES as readonly string[]).includes(type);
}

/** The webauthn keys that sign in on their own (Kratos keeps those: deleting webauthn removes the second factors). */
function passwordlessKeys(credential: Credential): JsonObject[] {
  const keys = credential.config.credentials;
  if (!Array.isArray(keys)) return [];
  return keys.filter(
    (key): key is JsonObject =>
      typeof key === 'object' && key !== null && !Array.isArray(key) && key.is_passwordless === true,
  );
}

/** The oidc or saml credential without the account `identifier` (`provider:subject`) names; undefined when none is left. */
function withoutLinkedAccount(
  credential: Credential,
  identifier: string | undefined,
  at: Date,
): Credential | undefined {
  if (!identifier) throw badRequest('You must provide an identifier to delete this credential.');
  const providers = Array.isArray(credential.config.providers) ? credential.config.providers : [];
  const kept = providers.filter((entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return true;
    return `${String(entry.provider)}:${String(entry.subject)}` !== identifier;
  });
  if (kept.length === providers.length) {
    throw notFound(`The identifier \`${identifier}\` was not found among OIDC credentials.`);
  }
  if (kept.length === 0) return undefined;
  return {
    ...credential,
    config: { ...credential.config, providers: kept },
    identifiers: kept.flatMap((entry) =>
      typeof entry === 'object' && entry !== null && !Array.isArray(entry)
        ? [`${String(entry.provider)}:${String(entry.subject)}`]
        : [],
    ),
    updated_at: at,
  };
}
