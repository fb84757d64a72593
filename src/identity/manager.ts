import { randomUUID } from 'node:crypto';
import jsonpatch from 'fast-json-patch';
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
  UpdateIdentityBody,
} from './bodies.js';
import { buildCredentials } from './credentials-import.js';
import { countActiveFirstFactors } from './first-factors.js';
import type { CredentialType, Identity, IdentityState, JsonObject, JsonValue } from './model.js';
import type { IdentitySchemas, PasswordHashing } from './ports.js';
import { serializeIdentity } from './serialize.js';
import { hasUsablePassword } from './usable-password.js';

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

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** The identity use cases behind the admin API (and, later, the self-service flows). */
export interface IdentityManager {
  create(body: CreateIdentityBody): Promise<Identity>;
  get(id: string): Promise<Identity>;
  list(query: ListIdentitiesQuery): Promise<IdentityPage>;
  /** Rewrites the identity; an `oidc` credential in the body replaces the linked accounts. */
  update(id: string, body: UpdateIdentityBody): Promise<Identity>;
  /**
   * `PUT /admin/identities/{id}`: as update, except that the body's `oidc` accounts are added to
   * the linked ones, as Kratos's import adds them ("will be kept and the new credentials will be
   * added to the list"), so an admin PUT never silently unlinks a sign-in.
   */
  replace(id: string, body: UpdateIdentityBody): Promise<Identity>;
  patch(id: string, operations: JsonPatchOperation[]): Promise<Identity>;
  delete(id: string): Promise<void>;
  deleteCredential(id: string, type: CredentialType, identifier?: string): Promise<void>;
}

const IMMUTABLE_PATHS = [
  '/id',
  '/credentials',
  '/state_changed_at',
  '/created_at',
  '/updated_at',
  '/schema_url',
];
const NOT_FOUND_REASON = 'Unable to locate the resource';

interface Draft {
  schema_id: string;
  traits: JsonObject;
  state: IdentityState;
  metadata_public: JsonValue | null;
  metadata_admin: JsonValue | null;
  external_id: string | null;
  credentials?: ImportedCredentials;
  verifiable_addresses?: ImportedVerifiableAddress[];
}

export function createIdentityManager(deps: IdentityManagerDeps): IdentityManager {
  const now = deps.now ?? (() => new Date());

  /** Validates a draft against its schema and turns it into the stored aggregate. */
  async function build(draft: Draft, current: Identity | undefined): Promise<Identity> {
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
      deps.hashing,
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
    };
  }

  async function mustGet(id: string): Promise<Identity> {
    const identity = await deps.store.get(id);
    if (!identity) throw notFound(NOT_FOUND_REASON);
    return identity;
  }

  async function save(identity: Identity): Promise<Identity> {
    if (!(await deps.store.update(identity))) throw notFound(NOT_FOUND_REASON);
    await deps.onChanged?.(identity.id, identity);
    return identity;
  }

  /** update and replace (see IdentityManager): `addLinked` keeps the linked provider accounts. */
  async function rewrite(id: string, body: UpdateIdentityBody, addLinked: boolean): Promise<Identity> {
    const current = await mustGet(id);
    const imported = body.credentials;
    const providers = imported?.oidc?.config?.providers;
    const credentials =
      addLinked && imported !== undefined && providers !== undefined
        ? { ...imported, oidc: { config: { providers: withLinked(current, providers) } } }
        : imported;
    const identity = await build(
      {
        schema_id: body.schema_id,
        traits: body.traits,
        state: body.state,
        metadata_public: body.metadata_public ?? null,
        metadata_admin: body.metadata_admin ?? null,
        external_id: body.external_id ?? null,
        credentials,
      },
      current,
    );
    return save(identity);
  }

  return {
    async create(body) {
      const identity = await build(
        {
          schema_id: body.schema_id,
          traits: body.traits,
          state: body.state ?? 'active',
          metadata_public: body.metadata_public ?? null,
          metadata_admin: body.metadata_admin ?? null,
          external_id: body.external_id ?? null,
          credentials: body.credentials,
          verifiable_addresses: body.verifiable_addresses,
        },
        undefined,
      );
      await deps.store.create(identity);
      return identity;
    },

    get: mustGet,

    list: (query) => deps.store.list(query),

    update: (id, body) => rewrite(id, body, false),

    replace: (id, body) => rewrite(id, body, true),

    async patch(id, operations) {
      for (const op of operations) {
        for (const path of [op.path, op.from]) {
          if (path !== undefined && IMMUTABLE_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) {
            throw badRequest(
              `The JSON Patch path "${path}" cannot be changed; id, credentials and timestamps are read-only.`,
            );
          }
        }
      }
      const current = await mustGet(id);
      const view = serializeIdentity(current, {
        admin: true,
        schemaUrl: deps.schemas.schemaUrl(current.schema_id),
      });
      let patched: Record<string, unknown>;
      try {
        patched = jsonpatch.applyPatch(view, operations as jsonpatch.Operation[], true, false).newDocument;
      } catch (error) {
        throw badRequest(`The JSON Patch could not be applied: ${(error as Error).name}`);
      }
      const draft = draftFromPatched(patched);
      return save(await build(draft, current));
    },

    async delete(id) {
      if (!(await deps.store.delete(id))) throw notFound(NOT_FOUND_REASON);
      await deps.onChanged?.(id, undefined);
    },

    async deleteCredential(id, type, identifier) {
      if (type === 'passkey' || type === 'code') {
        throw badRequest(`Credentials of type "${type}" cannot be deleted through this API.`);
      }
      const current = await mustGet(id);
      const credential = current.credentials[type];
      if (!credential) throw notFound(`The identity has no "${type}" credentials.`);
      // As Kratos: an identity keeps at least one way in; deleting it would lock the person out
      // for good (an admin who means that deletes the identity, or sets it inactive).
      if ((type === 'password' || type === 'oidc') && countActiveFirstFactors(current) < 2) {
        throw badRequest('You cannot remove the last first factor credential.');
      }
      const credentials = { ...current.credentials };
      if (type === 'oidc') {
        if (!identifier)
          throw badRequest('The identifier query parameter is required to delete oidc credentials.');
        const providers =
          (credential.config.providers as { provider: string; subject: string }[] | undefined) ?? [];
        const kept = providers.filter((p) => `${p.provider}:${p.subject}` !== identifier);
        if (kept.length === providers.length)
          throw notFound(`No oidc credential with identifier "${identifier}".`);
        if (kept.length === 0) delete credentials.oidc;
        else {
          credentials.oidc = {
            ...credential,
            config: { ...credential.config, providers: kept },
            identifiers: kept.map((p) => `${p.provider}:${p.subject}`),
            updated_at: now(),
          };
        }
      } else if (type === 'password') {
        // The schema's identifiers stay (as Kratos keeps them): only the secret goes. A credential
        // that holds identifiers alone has no password to delete.
        if (!hasUsablePassword(current)) throw notFound('The identity has no password.');
        credentials.password = { ...credential, config: {}, updated_at: now() };
      } else {
        delete credentials[type];
      }
      await save({ ...current, credentials, updated_at: now() });
    },
  };
}

function isState(value: unknown): value is IdentityState {
  return value === 'active' || value === 'inactive';
}

/** Reads a patched admin view back into a draft, refusing shapes the API would refuse. */
function draftFromPatched(doc: Record<string, unknown>): Draft {
  const { schema_id, traits, state, metadata_public, metadata_admin, external_id, verifiable_addresses } =
    doc;
  if (typeof schema_id !== 'string') throw badRequest('schema_id must be a string.');
  if (typeof traits !== 'object' || traits === null || Array.isArray(traits))
    throw badRequest('traits must be an object.');
  if (!isState(state)) throw badRequest('state must be "active" or "inactive".');
  if (external_id !== undefined && external_id !== null && typeof external_id !== 'string') {
    throw badRequest('external_id must be a string.');
  }
  if (verifiable_addresses !== undefined && !Array.isArray(verifiable_addresses)) {
    throw badRequest('verifiable_addresses must be an array.');
  }
  return {
    schema_id,
    traits: traits as JsonObject,
    state,
    metadata_public: (metadata_public as JsonValue | undefined) ?? null,
    metadata_admin: (metadata_admin as JsonValue | undefined) ?? null,
    external_id: (external_id as string | undefined) ?? null,
    verifiable_addresses: (verifiable_addresses as ImportedVerifiableAddress[] | undefined) ?? [],
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
