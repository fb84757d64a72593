import { BcryptPasswordTooLongError } from '../hash/index.js';
import { AppError, badRequest, conflict } from '../kernel/errors.js';
import type { ImportedCredentials } from './bodies.js';
import type { Credential, CredentialType, Identity, JsonObject } from './model.js';
import type { PasswordHashing } from './ports.js';
import { SealedProviderTokens } from './provider-tokens.js';

const IMPORTABLE = new Set(['password', 'oidc']);

/**
 * Builds the identity's credentials from what an admin sends and what the schema says the
 * identifiers are. Plain passwords are hashed here (off the event loop); foreign hashes are
 * kept as they are and re-hashed at the next login.
 */
export async function buildCredentials(
  current: Identity['credentials'],
  imported: ImportedCredentials | undefined,
  identifiers: Partial<Record<string, string[]>>,
  hashing: PasswordHashing,
  now: Date,
): Promise<Identity['credentials']> {
  for (const type of Object.keys(imported ?? {})) {
    if (!IMPORTABLE.has(type)) {
      throw badRequest(`Importing "${type}" credentials is not supported; supported types: password, oidc.`);
    }
  }

  const next: Identity['credentials'] = { ...current };
  const password = imported?.password?.config;
  if (password) {
    next.password = touch(current.password, 'password', await passwordConfig(password, hashing), now);
  }
  const providers = imported?.oidc?.config?.providers;
  if (providers) {
    refuseRepeatedAccounts(providers);
    const config: JsonObject = {
      providers: providers.map((p) => {
        // Only a SealedProviderTokens made in process: an admin body's JSON never is one. An
        // account that stays linked keeps the tokens it was linked with, whoever rewrites the
        // credential (a link or unlink of another account, an admin PUT that lists it again, as
        // Kratos's import keeps them).
        const tokens = p.tokens instanceof SealedProviderTokens ? p.tokens : keptTokens(current, p);
        return {
          provider: p.provider,
          subject: p.subject,
          use_auto_link: p.use_auto_link ?? false,
          ...(tokens === undefined ? {} : tokens.toJson()),
        };
      }),
    };
    next.oidc = {
      ...touch(current.oidc, 'oidc', config, now),
      identifiers: providers.map((p) => `${p.provider}:${p.subject}`),
    };
  }

  // As Kratos's credentials schema extension: the password credential exists with the identifiers
  // the schema declares even before it has a hash, so that an account made through a provider (or
  // by an admin without a password) is found by its identifier at login, and its identifier stays
  // unique among sign-in identifiers. Its config stays empty until a password is set.
  if (next.password === undefined && (identifiers.password?.length ?? 0) > 0) {
    next.password = touch(undefined, 'password', {}, now);
  }

  // Schema-derived identifiers follow the traits on every write.
  for (const credential of Object.values(next)) {
    if (!credential || credential.type === 'oidc') continue;
    credential.identifiers = [...(identifiers[credential.type] ?? [])];
  }
  return next;
}

/**
 * Refuses a provider account listed twice. In Kratos each `provider:subject` is a row of
 * identity_credential_identifiers, unique per type (identity_credential_identifiers_identifier_nid_type_uq_idx),
 * so importing one twice (importOIDCCredentials appends without looking) fails the insert and the
 * create or update answers 409. Stored twice, the account would count twice as a way in, and
 * unlinking it (which removes every entry it names) could leave no way in at all.
 */
function refuseRepeatedAccounts(providers: readonly { provider: string; subject: string }[]): void {
  const seen = new Set<string>();
  for (const { provider, subject } of providers) {
    const identifier = `${provider}:${subject}`;
    if (seen.has(identifier)) throw conflict(IDENTITY_CONFLICT_REASON);
    seen.add(identifier);
  }
}

/** Kratos's reason for a create that conflicts (identity/handler.go `create`), as the store gives it. */
const IDENTITY_CONFLICT_REASON = 'This identity conflicts with another identity that already exists.';

/** The sealed tokens the identity's oidc credential holds for the same provider account. */
function keptTokens(
  current: Identity['credentials'],
  account: { provider: string; subject: string },
): SealedProviderTokens | undefined {
  const stored = current.oidc?.config.providers;
  if (!Array.isArray(stored)) return undefined;
  for (const entry of stored) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    if (entry.provider === account.provider && entry.subject === account.subject) {
      return SealedProviderTokens.stored(entry);
    }
  }
  return undefined;
}

function touch(
  previous: Credential | undefined,
  type: CredentialType,
  config: JsonObject,
  now: Date,
): Credential {
  return {
    type,
    identifiers: previous?.identifiers ?? [],
    config,
    version: previous?.version ?? 0,
    created_at: previous?.created_at ?? now,
    updated_at: now,
  };
}

/**
 * The stored config of an imported password, in the precedence of Kratos's
 * importPasswordCredentials (identity/handler_import.go): `use_password_migration_hook: true`
 * wins over everything; then a non-empty plain-text `password` (hashed here) over
 * `hashed_password`; then `hashed_password`, which must be in a known hash format.
 */
async function passwordConfig(
  input: NonNullable<NonNullable<ImportedCredentials['password']>['config']>,
  hashing: PasswordHashing,
): Promise<JsonObject> {
  if (input.use_password_migration_hook === true) return { use_password_migration_hook: true };
  if (input.password !== undefined && input.password.length > 0) {
    try {
      return { hashed_password: await hashing.hash(input.password) };
    } catch (error) {
      if (error instanceof BcryptPasswordTooLongError) {
        throw new AppError(
          'password_too_long_for_hasher',
          400,
          'The request was malformed or contained invalid parameters',
          {
            reason: 'The password is longer than the 72 bytes bcrypt can hash; it was not truncated.',
            details: { max_length: 72, actual_length: error.byteLength },
            exposeId: false,
          },
        );
      }
      throw error;
    }
  }
  if (input.hashed_password !== undefined && input.hashed_password !== '') {
    if (!hashing.isSupportedHash(input.hashed_password)) {
      throw badRequest(
        'credentials.password.config.hashed_password is not in a supported format (argon2, bcrypt, pbkdf2, scrypt, firescrypt, ssha, sha, md5).',
      );
    }
    return { hashed_password: input.hashed_password };
  }
  if (input.password !== undefined) {
    throw badRequest('credentials.password.config.password must not be empty.');
  }
  throw badRequest(
    'credentials.password.config needs password, hashed_password or use_password_migration_hook.',
  );
}
