import type { ImportedCredentials, ImportedProvider } from '../../../identity/bodies.js';
import type { Identity } from '../../../identity/model.js';
import { hasUsablePassword } from '../../../identity/usable-password.js';

/** One provider account linked to an identity, as Kratos stores it in the `oidc` credential. */
export type LinkedProvider = ImportedProvider;

/** The credential identifier of a provider account: `<provider id>:<subject>`, unique across identities. */
export function oidcIdentifier(provider: string, subject: string): string {
  return `${provider}:${subject}`;
}

/**
 * The provider accounts linked to an identity, with the auto-link flag a rewrite of the credential
 * must keep. (The tokens sealed at linking are kept by buildCredentials for every account that
 * stays linked, whoever rewrites the credential.)
 */
export function linkedProviders(identity: Identity): LinkedProvider[] {
  const providers = identity.credentials.oidc?.config.providers;
  if (!Array.isArray(providers)) return [];
  const out: LinkedProvider[] = [];
  for (const entry of providers) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    const { provider, subject } = entry;
    if (typeof provider !== 'string' || typeof subject !== 'string') continue;
    out.push({ provider, subject, ...(entry.use_auto_link === true ? { use_auto_link: true } : {}) });
  }
  return out;
}

/** The `credentials` of an admin-style body that link `added` besides what is linked already. */
export function withLinkedProvider(identity: Identity, added: LinkedProvider): ImportedCredentials {
  const providers = linkedProviders(identity).filter((p) => p.provider !== added.provider);
  return { oidc: { config: { providers: [...providers, added] } } };
}

/**
 * The ways an identity can sign in: a password it has a hash for (or may migrate), and each
 * linked provider account. Unlinking must leave at least one.
 */
export function signInMethodCount(identity: Identity): number {
  return (hasUsablePassword(identity) ? 1 : 0) + linkedProviders(identity).length;
}
