import type { PasswordHashing } from '../../../hash/index.js';
import type { Identity } from '../../../identity/model.js';
import type { IdentityStore } from '../../../persistence/identity-store.js';
import type { PasswordMigrationHook } from './migration-hook.js';

export interface PasswordLoginDeps {
  identities: IdentityStore;
  hashing: PasswordHashing;
  /** `migrate_hook`, when enabled: checks passwords of identities imported without a hash. */
  migrationHook?: PasswordMigrationHook;
  now?: () => Date;
}

export type PasswordLoginResult =
  | { kind: 'authenticated'; identity: Identity }
  | { kind: 'invalid_credentials' }
  /** The password migration hook could not answer: the person should try again later. */
  | { kind: 'unavailable' };

/**
 * Checks an identifier and password. An unknown identifier, an identity without a password
 * and a wrong password all cost one hash verification and give the same answer, so neither
 * the response nor its timing tells which accounts exist. A correct password stored in a
 * foreign or outdated format is re-hashed with the configured hasher.
 */
export async function authenticateWithPassword(
  deps: PasswordLoginDeps,
  input: { identifier: string; password: string },
): Promise<PasswordLoginResult> {
  const identity = await deps.identities.findByCredentialIdentifier('password', input.identifier);
  const config = identity?.credentials.password?.config;
  const stored = config?.hashed_password;
  if (
    identity &&
    typeof stored !== 'string' &&
    config?.use_password_migration_hook === true &&
    deps.migrationHook
  ) {
    return migrate(deps, deps.migrationHook, identity, input);
  }
  if (!identity || typeof stored !== 'string') {
    await deps.hashing.verifyDummy(input.password);
    return { kind: 'invalid_credentials' };
  }
  const result = await deps.hashing.verify(input.password, stored);
  if (!result.ok) return { kind: 'invalid_credentials' };
  if (result.needsRehash) await rehash(deps, identity, input.password);
  return { kind: 'authenticated', identity };
}

/** First sign-in of an imported identity: the old system vouches for the password once. */
async function migrate(
  deps: PasswordLoginDeps,
  hook: PasswordMigrationHook,
  identity: Identity,
  input: { identifier: string; password: string },
): Promise<PasswordLoginResult> {
  const verdict = await hook.check(input.identifier, input.password);
  if (verdict === 'mismatch') return { kind: 'invalid_credentials' };
  if (verdict === 'unavailable') return { kind: 'unavailable' };
  // From now on the password is ours: hashed here, and the hook is not asked again.
  await rehash(deps, identity, input.password);
  return { kind: 'authenticated', identity };
}

/**
 * Stores the password hashed with the configured hasher. Only the credential changes, so an
 * admin edit made meanwhile survives the login; and only while the identity is still at the
 * version it was read at, so a password changed meanwhile (settings, an admin, recovery) is never
 * put back to the one just checked. Should it have moved on, the re-hash is skipped: the sign-in
 * still stands (the password was right when read), and the next one re-hashes.
 */
async function rehash(deps: PasswordLoginDeps, identity: Identity, password: string): Promise<void> {
  // Set by the store's read (findByCredentialIdentifier); without it nothing says the password
  // is still the one checked, so nothing is written.
  const version = identity.version;
  if (version === undefined) return;
  const at = (deps.now ?? (() => new Date()))();
  await deps.identities.updateCredentialConfig(
    identity.id,
    'password',
    { hashed_password: await deps.hashing.hash(password) },
    at,
    version,
  );
}
