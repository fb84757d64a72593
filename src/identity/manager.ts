import { randomUUID } from 'node:crypto';
import { AppError, badRequest, notFound } from '../kernel/errors.js';
import type { IdentityPage, IdentityStore, ListIdentitiesQuery } from '../persistence/identity-store.js';
import {
  type ImportedVerifiableAddress,
  reconcileRecoveryAddresses,
  reconcileVerifiableAddresses,
} from './addresses.js';
import type {
  CreateIdentityBody,
  ImportedCredentials,
  ImportedProvider,
  ReplaceIdentityBody,
  UpdateIdentityBody,
} from './bodies.js';
import { withoutCredential } from './credential-removal.js';
import { buildCredentials } from './credentials-import.js';
import { IdentityChangedConcurrentlyError } from './errors.js';
import { parseUuid } from './list-query.js';
import type { Identity, IdentityState, JsonObject, JsonValue } from './model.js';
import {
  applyPatch,
  checkPatchedNesting,
  checkPatchPaths,
  type JsonPatchOperation,
  patchError,
  patchedAddresses,
  patchedPasswordImport,
  storedPasswordConfig,
} from './patch-rules.js';
import type { IdentitySchemas, PasswordHashing } from './ports.js';
import { serializeIdentity } from './serialize.js';

export type { JsonPatchOperation } from './patch-rules.js';

export interface IdentityManagerDeps {
  store: IdentityStore;
  schemas: IdentitySchemas;
  hashing: PasswordHashing;
  /**
   * Told after an identity was updated (with the new state) or deleted (undefined), so
   * cached views are dropped and an inactive identity's sessions end at once.
   */
  onChanged?: (identityId: string, identity: Identity | undefined) => Promise<void>;
  now?: () => Date;
}

/**
 * What a writer makes of the identity as it is stored now: the whole body to store. Run again on
 * the identity as read again when another write got there first, so a writer that changes one
 * part (a self-service flow) takes everything else from the stored identity, never from what it
 * read earlier. It may throw to give up (nothing is written then).
 */
export type IdentityChange = (current: Identity) => UpdateIdentityBody;

/**
 * The identity use cases behind the admin API and the self-service flows.
 *
 * Every write is optimistic (the concurrency review's finding 1): it reads the identity, applies
 * its change to what it read, and stores the result only if nobody wrote the identity since (the
 * store's version check). Otherwise it reads again and re-applies its change to the fresh
 * identity, up to WRITE_ATTEMPTS times in all, and then fails with
 * IdentityChangedConcurrentlyError (409) having written nothing. So no write silently undoes
 * another: an admin's deactivation, a password change, a verification. (Kratos writes the whole
 * row unconditionally: persister_identity.go `UpdateIdentity`.)
 */
export interface IdentityManager {
  create(body: CreateIdentityBody): Promise<Identity>;
  get(id: string): Promise<Identity>;
  list(query: ListIdentitiesQuery): Promise<IdentityPage>;
  /**
   * Rewrites the identity with the body `change` makes of it as it is stored (see
   * IdentityChange); an `oidc` credential in the body replaces the linked accounts. For the
   * self-service flows, which change one part of an identity.
   */
  update(id: string, change: IdentityChange): Promise<Identity>;
  /**
   * `PUT /admin/identities/{id}`: the caller's body, with the credentials and addresses of the
   * identity as stored (an attempt after a conflict takes them from the fresh read); the body's
   * `oidc` accounts are added to the linked ones, as Kratos's import adds them ("will be kept and
   * the new credentials will be added to the list"), so an admin PUT never silently unlinks a
   * sign-in.
   */
  replace(id: string, body: ReplaceIdentityBody): Promise<Identity>;
  /**
   * `PATCH /admin/identities/{id}`: the JSON patch, applied to the identity as stored at each
   * attempt, with its password config (see patch-rules.ts for the paths it may touch).
   */
  patch(id: string, operations: JsonPatchOperation[]): Promise<Identity>;
  delete(id: string): Promise<void>;
  /** `DELETE /admin/identities/{id}/credentials/{type}`, any `type` (see credential-removal.ts). */
  deleteCredential(id: string, type: string, identifier?: string): Promise<void>;
}

/**
 * How many times a write reads, applies its change and tries to store it. A conflict means
 * another write landed between this one's read and its write, a window of milliseconds (a
 * password hash, hashed once per write, widens only the first): a few attempts outlast any
 * plausible run of them, and a caller that still loses gets a 409 rather than a silent overwrite.
 */
export const WRITE_ATTEMPTS = 5;

const NOT_FOUND_REASON = 'Unable to locate the resource';

interface Draft {
  schema_id: string;
  traits: JsonObject;
  state: IdentityState;
  metadata_public: JsonValue | null;
  metadata_admin: JsonValue | null;
  external_id: string | null;
  organization_id: string | null;
  credentials?: ImportedCredentials;
  verifiable_addresses?: ImportedVerifiableAddress[];
}

export function createIdentityManager(deps: IdentityManagerDeps): IdentityManager {
  const now = deps.now ?? (() => new Date());

  /**
   * Validates a draft against its schema and turns it into the stored aggregate, at the version
   * of `current` (the read it is based on).
   */
  async function build(
    draft: Draft,
    current: Identity | undefined,
    hashing: PasswordHashing = deps.hashing,
  ): Promise<Identity> {
    const validation = deps.schemas.validate(draft.schema_id, draft.traits);
    if (validation === undefined) {
      throw badRequest(`The identity schema "${draft.schema_id}" does not exist.`);
    }
    if (!validation.ok) {
      const reason = validation.errors.map((e) => `${e.pointer}: ${e.message}`).join('; ');
      throw new AppError(
        'identity_traits_invalid',
        400,
        'The request was malformed or contained invalid parameters',
        {
          reason,
          details: { errors: validation.errors },
          exposeId: false,
        },
      );
    }
    const at = now();
    const credentials = await buildCredentials(
      current?.credentials ?? {},
      draft.credentials,
      validation.identifiers,
      hashing,
      at,
    );
    const stateChanged = current === undefined || current.state !== draft.state;
    return {
      id: current?.id ?? randomUUID(),
      schema_id: draft.schema_id,
      traits: validation.traits,
      state: draft.state,
      state_changed_at: stateChanged ? at : current.state_changed_at,
      metadata_public: draft.metadata_public,
      metadata_admin: draft.metadata_admin,
      external_id: draft.external_id,
      // Absent for none, as the store reads an identity back (see Identity.organization_id).
      ...(draft.organization_id === null ? {} : { organization_id: draft.organization_id }),
      credentials,
      verifiable_addresses: reconcileVerifiableAddresses(
        validation.verifiable,
        current?.verifiable_addresses ?? [],
        draft.verifiable_addresses ?? [],
        at,
      ),
      recovery_addresses: reconcileRecoveryAddresses(
        validation.recovery,
        current?.recovery_addresses ?? [],
        at,
      ),
      created_at: current?.created_at ?? at,
      updated_at: at,
      version: current?.version,
    };
  }

  async function mustGet(id: string): Promise<Identity> {
    const identity = await deps.store.get(id);
    if (!identity) throw notFound(NOT_FOUND_REASON);
    return identity;
  }

  /**
   * One optimistic write (see IdentityManager): reads the identity, lets `next` build what to
   * store from it, and stores that if the identity is still at the version read; else again,
   * from a fresh read. `next` gets a hasher that hashes each password once for all attempts.
   */
  async function write(
    id: string,
    next: (current: Identity, hashing: PasswordHashing) => Promise<Identity>,
  ): Promise<Identity> {
    const hashing = hashingOnce(deps.hashing);
    for (let attempt = 1; ; attempt++) {
      const current = await mustGet(id);
      const identity = await next(current, hashing);
      const outcome = await deps.store.update(identity);
      if (outcome === 'updated') {
        const saved: Identity = { ...identity, version: (current.version ?? 0) + 1 };
        await deps.onChanged?.(id, saved);
        return saved;
      }
      if (outcome === 'missing') throw notFound(NOT_FOUND_REASON);
      if (attempt >= WRITE_ATTEMPTS) throw new IdentityChangedConcurrentlyError(attempt);
      await jitter(attempt);
    }
  }

  /**
   * update and replace (see IdentityManager): `addLinked` keeps the linked provider accounts. As
   * Kratos's `update`: an empty or absent schema_id or state keeps the stored one, an empty
   * external_id clears it, and the organization stays (the body has none).
   */
  function rewrite(
    id: string,
    change: (current: Identity) => ReplaceIdentityBody,
    addLinked: boolean,
  ): Promise<Identity> {
    return write(id, async (current, hashing) => {
      const body = change(current);
      const imported = body.credentials;
      const providers = imported?.oidc?.config?.providers;
      const credentials =
        addLinked && imported !== undefined && providers !== undefined
          ? { ...imported, oidc: { config: { providers: withLinked(current, providers) } } }
          : imported;
      return build(
        {
          schema_id: body.schema_id || current.schema_id,
          traits: body.traits,
          state: body.state || current.state,
          metadata_public: body.metadata_public ?? null,
          metadata_admin: body.metadata_admin ?? null,
          external_id: body.external_id || null,
          organization_id: current.organization_id ?? null,
          credentials,
        },
        current,
        hashing,
      );
    });
  }

  return {
    async create(body) {
      const identity = await build(
        {
          // As Kratos's manager.Create: no schema_id is the default schema.
          schema_id: body.schema_id || deps.schemas.defaultId,
          traits: body.traits,
          state: body.state ?? 'active',
          metadata_public: body.metadata_public ?? null,
          metadata_admin: body.metadata_admin ?? null,
          // As Kratos (sqlxx.NullString): "" is no external id.
          external_id: body.external_id || null,
          organization_id: organizationId(body.organization_id),
          credentials: body.credentials,
          verifiable_addresses: body.verifiable_addresses,
        },
        undefined,
      );
      await deps.store.create(identity);
      return { ...identity, version: 0 };
    },

    get: mustGet,

    list: (query) => deps.store.list(query),

    update: (id, change) => rewrite(id, change, false),

    // The caller's body, whatever the stored identity holds by the time it is written.
    replace: (id, body) => rewrite(id, () => body, true),

    async patch(id, operations) {
      checkPatchPaths(operations);
      // The patch applies to the document as stored at each attempt, as a JSON patch means: its
      // `test` operations too, and what it does not name stays as the fresh read has it. The
      // document holds the password's config (as Kratos's WithCredentialsAndAdminMetadataInJSON
      // does), so a patch can set a hash; a changed config is imported as a body's would be.
      return write(id, async (current, hashing) => {
        const stored = storedPasswordConfig(current);
        const view: Record<string, unknown> = serializeIdentity(current, {
          admin: true,
          schemaUrl: deps.schemas.schemaUrl(current.schema_id),
          credentialConfig: (credential) => (credential.type === 'password' ? credential.config : undefined),
        });
        const listed = (view.credentials ?? {}) as Record<string, unknown>;
        if (listed.password === undefined) view.credentials = { ...listed, password: { config: {} } };
        const patched = applyPatch(view, operations);
        checkPatchedNesting(patched);
        const draft = draftFromPatched(patched);
        const credentials = patchedPasswordImport(patched, stored);
        return build(credentials === undefined ? draft : { ...draft, credentials }, current, hashing);
      });
    },

    async delete(id) {
      if (!(await deps.store.delete(id))) throw notFound(NOT_FOUND_REASON);
      await deps.onChanged?.(id, undefined);
    },

    async deleteCredential(id, type, identifier) {
      // The identity first (404), then the credential and its rules, on each attempt's read.
      await write(id, async (current) => withoutCredential(current, type, identifier, now()));
    },
  };
}

/**
 * A hasher that hashes each password once, however many attempts a write takes: a retry after
 * a conflict costs a read and a write, not another argon2 run.
 */
function hashingOnce(hashing: PasswordHashing): PasswordHashing {
  const hashes = new Map<string, Promise<string>>();
  return {
    hash(password) {
      let hashed = hashes.get(password);
      if (hashed === undefined) {
        hashed = hashing.hash(password);
        hashes.set(password, hashed);
      }
      return hashed;
    },
    isSupportedHash: (encoded) => hashing.isSupportedHash(encoded),
  };
}

/**
 * A short random pause before the next attempt (up to 5 ms times the attempts so far), so writers
 * that keep colliding (a job rewriting identities in a loop) fall out of step.
 */
function jitter(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
}

function isState(value: unknown): value is IdentityState {
  return value === 'active' || value === 'inactive';
}

/**
 * The organization a body names: a UUID in any spelling Kratos's uuid parses, stored lower-case
 * and canonical; null or absent for none. (The body schema has checked the spelling already.)
 */
function organizationId(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const id = parseUuid(value);
  if (id === undefined) throw badRequest(`Invalid UUID value \`${value}\` for organization_id.`);
  return id;
}

/**
 * Reads a patched admin view back into a draft, refusing shapes the API would refuse. The
 * timestamps, `schema_url` and `credentials` it may hold are not read (the server sets the first
 * two; see patchedPasswordImport for the last); the addresses are checked as Kratos decodes them
 * (see patchedAddresses), and the recovery addresses then derived from the traits.
 */
function draftFromPatched(doc: Record<string, unknown>): Draft {
  const { schema_id, traits, state, metadata_public, metadata_admin, external_id, organization_id } = doc;
  if (typeof schema_id !== 'string') throw badRequest('schema_id must be a string.');
  if (typeof traits !== 'object' || traits === null || Array.isArray(traits))
    throw badRequest('traits must be an object.');
  if (!isState(state)) {
    // Kratos's reason for a patched state it does not know.
    throw badRequest(
      `The supplied state ('${String(state)}') was not valid. Valid states are ('active', 'inactive').`,
    );
  }
  if (external_id !== undefined && external_id !== null && typeof external_id !== 'string') {
    throw badRequest('external_id must be a string.');
  }
  if (organization_id !== undefined && organization_id !== null && typeof organization_id !== 'string') {
    throw patchError('organization_id must be a UUID or null.');
  }
  const verifiable_addresses = patchedAddresses(doc);
  return {
    schema_id,
    traits: traits as JsonObject,
    state,
    metadata_public: (metadata_public as JsonValue | undefined) ?? null,
    metadata_admin: (metadata_admin as JsonValue | undefined) ?? null,
    external_id: (external_id as string | undefined) || null,
    organization_id: organizationId(organization_id as string | null | undefined),
    verifiable_addresses,
  };
}

/** The identity's linked provider accounts, then those of `added` it does not have yet. */
function withLinked(current: Identity, added: readonly ImportedProvider[]): ImportedProvider[] {
  const linked: ImportedProvider[] = [];
  const stored = current.credentials.oidc?.config.providers;
  for (const entry of Array.isArray(stored) ? stored : []) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    const { provider, subject, use_auto_link } = entry as Record<string, unknown>;
    if (typeof provider !== 'string' || typeof subject !== 'string') continue;
    linked.push({ provider, subject, use_auto_link: use_auto_link === true });
  }
  const known = new Set(linked.map((p) => `${p.provider}:${p.subject}`));
  return [...linked, ...added.filter((p) => !known.has(`${p.provider}:${p.subject}`))];
}
