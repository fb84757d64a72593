import type { Identity } from './model.js';

/**
 * Whether the identity can sign in with a password: it has a hash, or it may migrate one through
 * the password migration hook. A password credential can exist without either, holding only the
 * schema's identifiers (as in Kratos), so its presence alone says nothing.
 */
export function hasUsablePassword(identity: Identity): boolean {
  const config = identity.credentials.password?.config;
  return (
    config !== undefined &&
    ((typeof config.hashed_password === 'string' && config.hashed_password !== '') ||
      config.use_password_migration_hook === true)
  );
}
