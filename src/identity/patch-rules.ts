import { isDeepStrictEqual } from 'node:util';
import jsonpatch from 'fast-json-patch';
import { AppError } from '../kernel/errors.js';
import { MAX_JSON_NESTING } from '../kernel/json.js';
import { type ImportedVerifiableAddress, parseGoTime } from './addresses.js';
import type { ImportedCredentials } from './bodies.js';
import { parseUuid } from './list-query.js';
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

/**
 * Refuses a patched document nested deeper than a JSON body may be (MAX_JSON_NESTING): a patch can
 * put a value at the end of a path as long as its own body, and patch after patch, so a patched
 * document could otherwise nest deeper than storing or answering it can take. Counted without
 * recursion.
 */
export function checkPatchedNesting(document: unknown): void {
  const pending: [unknown, number][] = [[document, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > MAX_JSON_NESTING) {
      throw patchError(
        `The patched identity nests arrays and objects more than ${MAX_JSON_NESTING} levels deep.`,
      );
    }
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
}

/** How Go's encoding/json names the JSON type of a value it cannot decode (UnmarshalTypeError.Value). */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

type FieldKind = 'string' | 'bool' | 'time' | 'uuid';

/** The address fields Kratos's VerifiableAddress and RecoveryAddress decode, by their Go types. */
const VERIFIABLE_FIELDS: Record<string, FieldKind> = {
  id: 'uuid',
  value: 'string',
  verified: 'bool',
  via: 'string',
  status: 'string',
  verified_at: 'time',
  created_at: 'time',
  updated_at: 'time',
  identity_id: 'uuid',
};
const RECOVERY_FIELDS: Record<string, FieldKind> = {
  id: 'uuid',
  value: 'string',
  via: 'string',
  created_at: 'time',
  updated_at: 'time',
  identity_id: 'uuid',
};

/**
 * The `field` of a patched address list as Kratos reads it back: ory/x's ApplyJSONPatch decodes
 * the patched document into the identity with encoding/json, and what does not decode is a 400
 * with Kratos's patch reason (identity/handler.go `patch`). So null (the list or an entry) is
 * none, as Go decodes null; an entry must be an object whose known fields have their Go types
 * (null for any of them is the zero value), a time in RFC 3339 and an id a UUID; unknown fields are
 * ignored, as json.Unmarshal ignores them.
 */
function patchedAddressList(
  document: Record<string, unknown>,
  field: 'verifiable_addresses' | 'recovery_addresses',
  fields: Record<string, FieldKind>,
): Record<string, unknown>[] {
  const list = document[field];
  if (list === undefined || list === null) return [];
  const goType = field === 'verifiable_addresses' ? 'identity.VerifiableAddress' : 'identity.RecoveryAddress';
  if (!Array.isArray(list)) {
    throw patchError(
      `json: cannot unmarshal ${jsonKind(list)} into Go struct field Identity.${field} of type []${goType}`,
    );
  }
  const entries: Record<string, unknown>[] = [];
  for (const entry of list) {
    if (entry === null) continue;
    if (typeof entry !== 'object' || Array.isArray(entry)) {
      throw patchError(
        `json: cannot unmarshal ${jsonKind(entry)} into Go struct field Identity.${field} of type ${goType}`,
      );
    }
    for (const [name, kind] of Object.entries(fields)) {
      const value = (entry as Record<string, unknown>)[name];
      if (value === undefined || value === null) continue;
      const at = `Go struct field ${goType.slice('identity.'.length)}.${field}.${name}`;
      if (kind === 'bool' ? typeof value !== 'boolean' : typeof value !== 'string') {
        const type =
          kind === 'bool' ? 'bool' : kind === 'time' ? 'time.Time' : kind === 'uuid' ? 'uuid.UUID' : 'string';
        throw patchError(`json: cannot unmarshal ${jsonKind(value)} into ${at} of type ${type}`);
      }
      if (kind === 'time' && parseGoTime(value as string) === undefined) {
        throw patchError(`${field}.${name}: parsing time "${String(value)}" as RFC 3339 failed`);
      }
      if (kind === 'uuid' && parseUuid(value as string) === undefined) {
        throw patchError(`${field}.${name}: uuid: incorrect UUID format in string "${String(value)}"`);
      }
    }
    entries.push(entry as Record<string, unknown>);
  }
  return entries;
}

/**
 * The patched document's addresses, checked as Kratos decodes them (see patchedAddressList): the
 * verifiable ones as imports (the schema still decides which addresses exist; an entry's verified
 * state applies to the address of the traits it names), the recovery ones only checked (they come
 * from the traits).
 */
export function patchedAddresses(document: Record<string, unknown>): ImportedVerifiableAddress[] {
  patchedAddressList(document, 'recovery_addresses', RECOVERY_FIELDS);
  return patchedAddressList(document, 'verifiable_addresses', VERIFIABLE_FIELDS).map((entry) => {
    const address: ImportedVerifiableAddress = {
      value: typeof entry.value === 'string' ? entry.value : '',
      via: typeof entry.via === 'string' ? entry.via : '',
    };
    // A null `verified` or `status` is Go's zero value: false, "".
    if (entry.verified !== undefined) address.verified = entry.verified === true;
    if (entry.status !== undefined) address.status = typeof entry.status === 'string' ? entry.status : '';
    if (typeof entry.verified_at === 'string') address.verified_at = entry.verified_at;
    return address;
  });
}
