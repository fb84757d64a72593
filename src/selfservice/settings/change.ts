/**
 * What a settings submission writes: only the part of the identity its method changes, applied
 * to the identity as stored when it is written (the concurrency review's finding 1). A strategy
 * proposes a whole update body built from the identity read at the start of the request; between
 * that read and the write come the privileged-session check, a breach lookup, a password hash and
 * web hooks of up to seconds, during which an admin may deactivate the identity, an identity-sync
 * job may change its metadata, or a verification may complete. Writing the proposal as it is
 * would put all of that back as it was read (as Kratos's PostSettingsHook does, writing the
 * identity taken from the session). So the proposal is reduced to the method's own part, and that
 * part is re-applied on every attempt the identity manager makes (see IdentityChange):
 *
 * - profile: the traits (the addresses and login identifiers they derive follow them);
 * - password: the password credential;
 * - oidc: the provider accounts linked or unlinked, against the accounts linked now (an unlink
 *   that would leave the stored identity no way in is refused: LastSignInMethodError);
 * - the identity changes a settings web hook answered with (its `identity`), as it gave them.
 *
 * State, metadata, external id and schema always come from the stored identity.
 */

import type { ImportedCredentials, ImportedProvider, UpdateIdentityBody } from '../../identity/bodies.js';
import { IdentityDisabledError } from '../../identity/errors.js';
import type { IdentityChange } from '../../identity/manager.js';
import type { Identity } from '../../identity/model.js';
import { hasUsablePassword } from '../../identity/usable-password.js';
import { applyIdentityPatchToUpdate } from '../hooks/identity-patch.js';
import type { IdentityPatch } from '../hooks/web-hook/response.js';
import { linkedProviders } from '../strategies/oidc/credentials.js';
import { LastSignInMethodError } from './errors.js';
import { currentIdentityBody } from './strategy.js';

export type SettingsMethod = 'profile' | 'password' | 'oidc';

/**
 * The change `proposed` (a strategy's body, built from `read`) makes, as an IdentityChange, with
 * the web hooks' `patches` on top. A deactivated identity is never changed: its sessions ended
 * when it was deactivated, this request's with them (IdentityDisabledError).
 */
export function settingsChange(
  method: SettingsMethod,
  read: Identity,
  proposed: UpdateIdentityBody,
  patches: readonly IdentityPatch[],
): IdentityChange {
  return (current) => {
    if (current.state !== 'active') throw new IdentityDisabledError();
    let body: UpdateIdentityBody = { ...currentIdentityBody(current) };
    if (method === 'profile') body.traits = proposed.traits;
    const credentials = changedCredentials(method, read, current, proposed.credentials);
    if (credentials !== undefined) body.credentials = credentials;
    for (const patch of patches) body = applyIdentityPatchToUpdate(body, patch);
    return body;
  };
}

/** The credential the method changes, as an update body carries it; undefined for profile. */
function changedCredentials(
  method: SettingsMethod,
  read: Identity,
  current: Identity,
  proposed: ImportedCredentials | undefined,
): ImportedCredentials | undefined {
  if (method === 'password') {
    const password = proposed?.password;
    return password === undefined ? undefined : { password };
  }
  if (method === 'oidc') {
    const providers = proposed?.oidc?.config?.providers;
    if (providers === undefined) return undefined;
    const next = relinked(linkedProviders(read), providers, current);
    // The strategy checked "never the last way in" on the identity as read; what is stored now
    // may have lost the other way meanwhile (a second tab's unlink, an admin's credential delete).
    const unlinked = linkedProviders(current).find((p) => !next.some((n) => accountKey(n) === accountKey(p)));
    if (unlinked !== undefined && next.length === 0 && !hasUsablePassword(current))
      throw new LastSignInMethodError(unlinked.provider);
    return { oidc: { config: { providers: next } } };
  }
  return undefined;
}

const accountKey = (p: { provider: string; subject: string }): string => `${p.provider}:${p.subject}`;

/**
 * The accounts linked to `current` after the link or unlink that turned `before` (the accounts
 * linked when the request read the identity) into `after`: those unlinked go, those linked come
 * (replacing an account of the same provider, as withLinkedProvider does), and an account that
 * another request linked meanwhile stays.
 */
export function relinked(
  before: readonly ImportedProvider[],
  after: readonly ImportedProvider[],
  current: Identity,
): ImportedProvider[] {
  const had = new Set(before.map(accountKey));
  const kept = new Set(after.map(accountKey));
  const added = after.filter((p) => !had.has(accountKey(p)));
  const addedProviders = new Set(added.map((p) => p.provider));
  const stay = linkedProviders(current).filter(
    (p) => !(had.has(accountKey(p)) && !kept.has(accountKey(p))) && !addedProviders.has(p.provider),
  );
  return [...stay, ...added];
}
