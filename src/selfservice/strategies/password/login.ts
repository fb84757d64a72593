import type { PasswordHashing } from '../../../hash/index.js';
import type { Identity, JsonObject } from '../../../identity/model.js';
import type { AppError } from '../../../kernel/errors.js';
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
  /** The password migration hook could not decide: Kratos's error for it (see migration-hook-errors.ts). */
  | { kind: 'migration_failed'; error: AppError };

/** The body template context of the migration hook for the identity signing in (see MigrationTemplateContext). */
export type MigrationContextFor = (identity: Identity) => JsonObject;

/**
 * Checks an identifier and password. An unknown identifier, an identity without a password
 * and a wrong password all cost one hash verification and give the same answer, so neither
 * the response nor its timing tells which accounts exist. A correct password stored in a
 * foreign or outdated format is re-hashed with the configured hasher.
 */
export async function authenticateWithPassword(
  deps: PasswordLoginDeps,
  input: { identifier: string; password: string },
  migrationContext: MigrationContextFor,
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
    return migrate(deps, deps.migrationHook, identity, input, migrationContext);
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
  migrationContext: MigrationContextFor,
): Promise<PasswordLoginResult> {
  const verdict = await hook.check(input.identifier, input.password, () => migrationContext(identity));
  if (verdict.kind === 'mismatch') return { kind: 'invalid_credentials' };
  if (verdict.kind === 'failed') return { kind: 'migration_failed', error: verdict.error };
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
