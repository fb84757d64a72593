import { isDeepStrictEqual } from 'node:util';
import jsonpatch from 'fast-json-patch';
import { AppError } from '../kernel/errors.js';
import type { ImportedCredentials } from './bodies.js';
import type { Identity } from './model.js';

/** One RFC 6902 operation of `PATCH /admin/identities/{id}`. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** Kratos's reason for every JSON Patch it cannot apply (identity/handler.go `patch`, spelling kept). */
export const PATCH_FAILED_REASON = 'An error occured when applying the JSON patch';

/** A 400 in the shape Kratos gives a patch it refuses: its reason, and what went wrong as `message`. */
export function patchError(message: string): AppError {
  return new AppError('bad_request', 400, message, { reason: PATCH_FAILED_REASON, exposeId: false });
}

const PASSWORD_CONFIG = '/credentials/password/config';

/**
 * Kratos's deny list (`"/id", "/stateChangedAt", "/credentials", "/credentials/oidc/**"`): the
 * id, the credentials as a whole and anything of the linked provider accounts. `/credentials/oidc`
 * itself too, which Kratos's glob misses: a patch must not plant linked accounts.
 * (`/stateChangedAt` never names a field of the JSON document, so it denies nothing.)
 */
function isDenied(path: string): boolean {
  return (
    path === '/id' ||
    path === '/credentials' ||
    path === '/credentials/oidc' ||
    path.startsWith('/credentials/oidc/')
  );
}

/**
 * Of the credentials, only the password's config may be patched, and it is then imported as a
 * body's `credentials.password.config` is (hash format, precedence, hashing). Kratos writes any
 * other credential path as given, unchecked (a totp secret, a webauthn key); here that is a 400
 * rather than a write that skips the import's validation.
 */
function isUnpatchableCredentialPath(path: string): boolean {
  return (
    path.startsWith('/credentials/') && path !== PASSWORD_CONFIG && !path.startsWith(`${PASSWORD_CONFIG}/`)
  );
}

/**
 * Refuses operations on paths a patch may not touch, by their `path` and (for move and copy) their
 * `from`: Kratos's deny list with its message, then the credentials other than the password's
 * config. Timestamps and `schema_url` are not refused: as in Kratos, what a patch writes there is
 * ignored (they are set by the server).
 */
export function checkPatchPaths(operations: readonly JsonPatchOperation[]): void {
  for (const op of operations) {
    for (const path of [op.path, op.from]) {
      if (path === undefined) continue;
      if (isDenied(path)) throw patchError(`patch includes denied path: ${path}`);
      if (isUnpatchableCredentialPath(path)) {
        throw patchError(
          `patch includes unsupported path: ${path}; of the credentials only ${PASSWORD_CONFIG} can be patched`,
        );
      }
    }
  }
}

/** Whether `path` names an array element (its last segment an index or `-`), as ory/x's isElementAccess. */
function isElementAccess(path: string): boolean {
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last === '-' || /^-?\d+$/.test(last);
}

/**
 * Applies the operations to `document` as ory/x's ApplyJSONPatch does: a `replace` of an object
 * member that does not exist yet adds it (Kratos is "more tolerant" than RFC 6902 there), so
 * `replace /credentials/password/config/hashed_password` works on an identity without a password.
 */
export function applyPatch(
  document: Record<string, unknown>,
  operations: readonly JsonPatchOperation[],
): Record<string, unknown> {
  const tolerant = operations.map((op) =>
    op.op === 'replace' && !isElementAccess(op.path) ? { ...op, op: 'add' as const } : op,
  );
  try {
    return jsonpatch.applyPatch(document, tolerant as jsonpatch.Operation[], true, false).newDocument;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw patchError(message ?? 'The JSON Patch could not be applied.');
  }
}

/** The password config the patch document starts from: as stored, `{}` when there is none. */
export function storedPasswordConfig(identity: Identity): Record<string, unknown> {
  return identity.credentials.password?.config ?? {};
}

/**
 * What a patch made of the password's config, as an import body's `credentials` (undefined when it
 * left it as stored). Only the import's fields, with their types; anything else is a 400.
 */
export function patchedPasswordImport(
  patched: Record<string, unknown>,
  stored: Record<string, unknown>,
): ImportedCredentials | undefined {
  const credentials = patched.credentials as Record<string, unknown> | undefined;
  const password = credentials?.password as Record<string, unknown> | undefined;
  const config = password?.config ?? {};
  if (isDeepStrictEqual(config, stored)) return undefined;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw patchError(`${PASSWORD_CONFIG} must be an object.`);
  }
  const out: { password?: string; hashed_password?: string; use_password_migration_hook?: boolean } = {};
  for (const [key, value] of Object.entries(config)) {
    if ((key === 'password' || key === 'hashed_password') && typeof value === 'string') out[key] = value;
    else if (key === 'use_password_migration_hook' && typeof value === 'boolean') out[key] = value;
    else {
      throw patchError(
        `${PASSWORD_CONFIG}/${key} cannot be set; the config takes password, hashed_password or use_password_migration_hook, as an import does.`,
      );
    }
  }
  return { password: { config: out } };
}
