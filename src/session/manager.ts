import { hash, randomUUID } from 'node:crypto';
import type { SessionConfig } from '../config/index.js';
import { IdentityDisabledError } from '../identity/errors.js';
import type { Identity } from '../identity/model.js';
import type { IdentityStore } from '../persistence/identity-store.js';
import type {
  ListSessionsQuery,
  SessionFilterQuery,
  SessionReauthentication,
  SessionStore,
} from '../persistence/session-store.js';
import {
  createBulkSessions,
  DEFAULT_BULK_BATCH_SIZE,
  type ManageSessionsCommand,
  type ManageSessionsResult,
} from './bulk.js';
import {
  type AuthenticationMethod,
  type AuthenticatorAssuranceLevel,
  isSessionUsable,
  type Session,
  type SessionDevice,
} from './model.js';
import type { CacheNamespace } from './ports.js';
import { type JsonObject, serializeSession, serializeSessionIdentity } from './serialize.js';
import { deriveLogoutToken, generateToken, SESSION_TOKEN_PREFIX, tokenHash, tokenHashes } from './token.js';

/** What the hot path keeps per token: enough to answer whoami without SQL. */
export interface CachedSession {
  id: string;
  identityId: string;
  active: boolean;
  expiresAtMs: number;
  /** The session's JSON without identity, as whoami returns it. */
  json: JsonObject;
}

/** What the hot path keeps per identity: its state and the JSON its owner may see. */
export interface CachedIdentity {
  active: boolean;
  json: JsonObject;
}

export interface SessionManagerDeps {
  sessions: SessionStore;
  identities: IdentityStore;
  /** `secrets.default`: tokens are stored as HMACs under the first, looked up under all. */
  tokenKeys: readonly string[];
  config: Pick<SessionConfig, 'lifespanMs' | 'earliestPossibleExtendMs'>;
  schemaUrl(schemaId: string): string;
  cache: { sessions: CacheNamespace<CachedSession>; identities: CacheNamespace<CachedIdentity> };
  /** Longest time an identity stays in the cache without being re-read. */
  identityCacheTtlMs?: number;
  /** Sessions per batch of `manage` (and the most one `identities: ["*"]` call handles). */
  bulkBatchSize?: number;
  now?: () => Date;
}

export interface IssueInput {
  methods: AuthenticationMethod[];
  aal: AuthenticatorAssuranceLevel;
  /** `location`: Kratos's, from Cloudflare's headers (see requestDevice); empty when unknown. */
  device: { ipAddress: string | null; userAgent: string | null; location?: string };
}

export interface IssuedSession {
  session: Session;
  /** The bearer token: returned to the client once, never stored. */
  token: string;
  logoutToken: string;
}

/** Runs on a session about to be stored; throwing keeps it from being stored. */
export type BeforeSessionWrite = (draft: IssuedSession) => Promise<void>;

export interface Authenticated {
  session: CachedSession;
  identity: CachedIdentity;
}

/** Sessions: issue, recognise on every request (from cache), revoke everywhere, extend. */
export interface SessionManager {
  /**
   * A new session for `identity`. `beforeWrite` sees it complete but not yet stored (Kratos's
   * login hooks run there): if it throws, nothing is written and the error is the caller's.
   * IdentityDisabledError when the identity is not active once the session is stored (it was
   * deactivated during the sign-in): the session is revoked then, and the caller answers as for
   * a disabled identity (Kratos's 4010011 at login).
   */
  issue(identity: Identity, input: IssueInput, beforeWrite?: BeforeSessionWrite): Promise<IssuedSession>;
  /**
   * A refresh login, as Kratos's: the session `token` names keeps its id and token, gains the
   * new methods, and is authenticated (and lasts its lifespan) from now. Undefined when that
   * session is no longer usable. `beforeWrite` as for `issue`, with the session as it will be;
   * IdentityDisabledError, with the session revoked, as for `issue`.
   */
  reauthenticate(
    token: string,
    input: IssueInput,
    beforeWrite?: BeforeSessionWrite,
  ): Promise<IssuedSession | undefined>;
  /** The usable session a token names, with its identity; undefined for anything else. */
  authenticate(token: string): Promise<Authenticated | undefined>;
  /**
   * The same answer when this process's in-memory cache holds both the session and its identity,
   * without waiting for anything; `undefined` means "not known here" (ask `authenticate`), not
   * "unauthenticated". For hot paths that can answer without a promise (whoami).
   */
  authenticateFromMemory(token: string): Authenticated | undefined;
  /** The stored session a token names, usable or not. */
  findByToken(sessionToken: string): Promise<Session | undefined>;
  /** The session's JSON with its identity, as whoami answers. */
  whoamiJson(authenticated: Authenticated): JsonObject;
  /** The same, serialised; memoised per cached entry so a cache hit does not stringify. */
  whoamiBody(authenticated: Authenticated): string;
  get(id: string): Promise<Session | undefined>;
  list(query: Omit<ListSessionsQuery, 'now'>): Promise<{ sessions: Session[]; nextPageToken?: string }>;
  /** How many sessions match a list's filters, as of now. */
  count(query: Omit<SessionFilterQuery, 'now'>): Promise<number>;
  toJson(session: Session, identity?: Identity): JsonObject;
  /** The logout token of the session `sessionToken` names (for logout URLs). */
  logoutTokenFor(sessionToken: string, session: Session): string | undefined;
  /** Revokes one session everywhere; false when it does not exist. */
  revoke(sessionId: string): Promise<boolean>;
  /** Revokes every active session of the identity but `exceptId`; returns how many it revoked. */
  revokeIdentitySessions(identityId: string, exceptId?: string): Promise<number>;
  /**
   * The same, returning how many sessions the identity has besides `exceptId`, revoked or expired
   * ones included, as Kratos's RevokeSessionsIdentityExcept counts (`DELETE /sessions` answers
   * it): one more query, which only that route pays.
   */
  revokeIdentitySessionsCounted(identityId: string, exceptId?: string): Promise<number>;
  /** Disables or deletes sessions in bulk (Kratos's manageSessions), everywhere at once. */
  manage(command: ManageSessionsCommand): Promise<ManageSessionsResult>;
  /** Extends the session by its lifespan, if `earliest_possible_extend` allows it now. */
  extend(sessionId: string): Promise<Session | undefined>;
  /** An identity changed or was deleted: drop its cached view; end its sessions if it is gone or inactive. */
  identityChanged(identityId: string, identity: Identity | undefined): Promise<void>;
}

const DEFAULT_IDENTITY_TTL_MS = 5 * 60_000;
const AAL_ORDER: readonly AuthenticatorAssuranceLevel[] = ['aal0', 'aal1', 'aal2', 'aal3'];
/** Tokens whose keyed hashes are remembered (see `tokenHashMemo`); about 150 bytes each. */
const TOKEN_HASH_MEMO_ENTRIES = 10_000;

/**
 * A bounded memo of the keyed hashes (HMAC-SHA256 under every `secrets.default` key) of tokens
 * that recently authenticated, so a client calling whoami again does not pay the HMAC again
 * (`createHmac` builds a key object and an HMAC context per call: about 2 µs, a tenth of a whoami
 * answered from cache).
 *
 * Why this is safe:
 * - The memo is keyed by SHA-256 of the token, not the token itself: no raw token is kept in
 *   memory beyond the request that carried it, and a heap dump shows nothing a stolen database
 *   would not (a 190-bit random token cannot be recovered from its SHA-256). The lookup compares
 *   a digest the caller cannot steer, so its timing says nothing about stored tokens.
 * - The hashes are a pure function of the token and the keys, and the keys are fixed for this
 *   manager's lifetime, so an entry can never be stale. Revocation does not involve it: sessions
 *   are still looked up by hash in the cache (whose invalidation and tombstones stay in charge) and
 *   in SQL.
 * - Only tokens that authenticated are remembered, so guessed or garbage tokens cannot churn it;
 *   it is bounded (oldest entry dropped first) and lives in this process only.
 */
function tokenHashMemo(keys: readonly string[], max = TOKEN_HASH_MEMO_ENTRIES) {
  const memo = new Map<string, readonly string[]>();
  return {
    /** The digest that names `token` in the memo. */
    idOf: (token: string): string => hash('sha256', token, 'base64url'),
    /** The token's keyed hashes, first key first: remembered, or computed now (not remembered). */
    hashes(token: string, id: string): readonly string[] {
      return memo.get(id) ?? tokenHashes(token, keys);
    },
    remember(id: string, hashes: readonly string[]): void {
      if (memo.has(id)) return;
      if (memo.size >= max) {
        // Maps iterate in insertion order: the first key is the oldest entry.
        const oldest = memo.keys().next();
        if (!oldest.done) memo.delete(oldest.value);
      }
      memo.set(id, hashes);
    },
    forget(id: string): void {
      memo.delete(id);
    },
  };
}

export function createSessionManager(deps: SessionManagerDeps): SessionManager {
  const now = deps.now ?? (() => new Date());
  const nowMs = deps.now === undefined ? Date.now : () => now().getTime();
  const serialized = new WeakMap<object, string>();
  /** The whole whoami body per cached session entry, for the identity entry it was built with. */
  const bodies = new WeakMap<CachedSession, { identity: CachedIdentity; body: string }>();
  const identityTtl = deps.identityCacheTtlMs ?? DEFAULT_IDENTITY_TTL_MS;
  const tokenMemo = tokenHashMemo(deps.tokenKeys);

  function firstKey(): string {
    const [key] = deps.tokenKeys;
    if (key === undefined) throw new Error('no secret configured to derive tokens with');
    return key;
  }

  function cachedSession(session: Session, at: Date): CachedSession {
    return {
      id: session.id,
      identityId: session.identity_id,
      active: session.active,
      expiresAtMs: session.expires_at.getTime(),
      json: serializeSession(session, at),
    };
  }

  function cachedIdentity(identity: Identity): CachedIdentity {
    return {
      active: identity.state === 'active',
      json: serializeSessionIdentity(identity, deps.schemaUrl(identity.schema_id)),
    };
  }

  async function sessionByToken(hashes: readonly string[], at: Date): Promise<CachedSession | undefined> {
    // Entries are cached under the hash the session was stored with, which is what
    // revocation invalidates. After a rotation of secrets.default that is not the first
    // key's hash, so each key's hash is tried (one or two keys in practice).
    for (const hash of hashes) {
      const cached = await deps.cache.sessions.get(hash);
      if (cached) return cached;
    }
    const session = await deps.sessions.findByTokenHash(hashes);
    if (!session) return undefined;
    const entry = cachedSession(session, at);
    const ttl = session.expires_at.getTime() - at.getTime();
    // Only usable sessions are worth caching; the TTL never outlives the session, and the cache
    // caps it further (its maxSharedTtlMs) to bound a revocation that could not reach Redis.
    if (session.active && ttl > 0) await deps.cache.sessions.set(session.token_hash, entry, ttl);
    return entry;
  }

  /** The session's cached entry from memory alone; `undefined` when memory does not know. */
  function sessionFromMemory(hashes: readonly string[]): CachedSession | undefined {
    const peek = deps.cache.sessions.peek;
    if (peek === undefined) return undefined;
    for (const hash of hashes) {
      const cached = peek.call(deps.cache.sessions, hash);
      if (cached) return cached;
    }
    return undefined;
  }

  function usable(session: CachedSession | undefined, atMs: number): session is CachedSession {
    return session?.active === true && session.expiresAtMs > atMs;
  }

  async function identityById(id: string): Promise<CachedIdentity | undefined> {
    const cached = await deps.cache.identities.get(id);
    if (cached) return cached;
    const identity = await deps.identities.get(id);
    if (!identity) return undefined;
    const entry = cachedIdentity(identity);
    await deps.cache.identities.set(id, entry, identityTtl);
    return entry;
  }

  /**
   * Drops the sessions from every replica's cache, after SQL has ended or changed them. It does not
   * fail when Redis cannot be reached from here: the cache retries in the background and bounds
   * how long another replica can go on serving them (`maxSharedTtlMs`), and SQL already holds the
   * truth, so a revocation reports success. Failing it would not help: a retry by the client finds
   * nothing left to revoke.
   */
  async function forgetHashes(tokenHashes: readonly string[]): Promise<void> {
    if (tokenHashes.length > 0) await deps.cache.sessions.invalidate(tokenHashes);
  }

  async function forget(sessions: Session[]): Promise<void> {
    await forgetHashes(sessions.map((s) => s.token_hash));
  }

  function logoutTokenOf(sessionToken: string, session: Session): string | undefined {
    // Under rotation the token was derived with whichever key was first when it was issued.
    for (const key of deps.tokenKeys) {
      const candidate = deriveLogoutToken(sessionToken, key);
      if (tokenHashes(candidate, deps.tokenKeys).includes(session.logout_token_hash)) return candidate;
    }
    return undefined;
  }

  async function revoke(sessionId: string): Promise<boolean> {
    const session = await deps.sessions.revoke(sessionId, now());
    if (!session) return false;
    await forget([session]);
    return true;
  }

  /**
   * Refuses a session just stored for an identity that is not active by now (the concurrency
   * review's finding 2). Deactivation stores the state and then revokes the identity's sessions
   * (identityChanged); a sign-in that read the identity before and stores its session after the
   * revocation would escape it, and work again once the identity is reactivated. Checked after
   * the session is stored, from the store (a cached identity may be stale): either the revocation
   * saw this session, or the deactivation was stored before this check, which then sees it.
   * Kratos checks the identity only before (session.Activate: ErrIdentityDisabled).
   */
  async function refuseIfDisabled(identityId: string, sessionId: string): Promise<void> {
    if (await deps.identities.isActive(identityId)) return;
    await revoke(sessionId);
    throw new IdentityDisabledError();
  }

  return {
    async issue(identity, input, beforeWrite) {
      const at = now();
      const token = generateToken(SESSION_TOKEN_PREFIX);
      const logoutToken = deriveLogoutToken(token, firstKey());
      const session: Session = {
        id: randomUUID(),
        identity_id: identity.id,
        token_hash: tokenHash(token, deps.tokenKeys),
        logout_token_hash: tokenHash(logoutToken, deps.tokenKeys),
        active: true,
        aal: input.aal,
        authentication_methods: input.methods,
        devices: [deviceOf(input)],
        issued_at: at,
        authenticated_at: at,
        expires_at: new Date(at.getTime() + deps.config.lifespanMs),
        created_at: at,
        updated_at: at,
      };
      const issued = { session, token, logoutToken };
      await beforeWrite?.(issued);
      await deps.sessions.create(session);
      await refuseIfDisabled(identity.id, session.id);
      return issued;
    },

    async reauthenticate(token, input, beforeWrite) {
      const at = now();
      const session = await deps.sessions.findByTokenHash(tokenHashes(token, deps.tokenKeys));
      if (!session || !isSessionUsable(session, at)) return undefined;
      const logoutToken = logoutTokenOf(token, session);
      if (logoutToken === undefined) return undefined;
      const change: SessionReauthentication = {
        authenticationMethods: [...session.authentication_methods, ...input.methods],
        // As Kratos, every sign-in records where it came from, a refresh too.
        devices: [...session.devices, deviceOf(input)],
        // A refresh never lowers what the session has already proven.
        aal: AAL_ORDER.indexOf(input.aal) > AAL_ORDER.indexOf(session.aal) ? input.aal : session.aal,
        authenticatedAt: at,
        expiresAt: new Date(at.getTime() + deps.config.lifespanMs),
      };
      if (beforeWrite) {
        const draft: Session = {
          ...session,
          authentication_methods: change.authenticationMethods,
          devices: change.devices,
          aal: change.aal,
          authenticated_at: change.authenticatedAt,
          expires_at: change.expiresAt,
          updated_at: at,
        };
        await beforeWrite({ session: draft, token, logoutToken });
      }
      const updated = await deps.sessions.reauthenticate(session.id, change);
      if (!updated) return undefined;
      // Every replica's cached copy still has the old expiry and methods.
      await forget([session]);
      await refuseIfDisabled(session.identity_id, session.id);
      return { session: updated, token, logoutToken };
    },

    authenticateFromMemory(token) {
      if (!token.startsWith(SESSION_TOKEN_PREFIX)) return undefined;
      const id = tokenMemo.idOf(token);
      const hashes = tokenMemo.hashes(token, id);
      const session = sessionFromMemory(hashes);
      if (!usable(session, nowMs())) return undefined;
      const identity = deps.cache.identities.peek?.call(deps.cache.identities, session.identityId);
      if (!identity?.active) return undefined;
      tokenMemo.remember(id, hashes);
      return { session, identity };
    },

    async authenticate(token) {
      if (!token.startsWith(SESSION_TOKEN_PREFIX)) return undefined;
      const at = now();
      const id = tokenMemo.idOf(token);
      const hashes = tokenMemo.hashes(token, id);
      const session = await sessionByToken(hashes, at);
      if (!usable(session, at.getTime())) {
        tokenMemo.forget(id);
        return undefined;
      }
      const identity = await identityById(session.identityId);
      if (!identity?.active) {
        tokenMemo.forget(id);
        return undefined;
      }
      tokenMemo.remember(id, hashes);
      return { session, identity };
    },

    findByToken: (sessionToken) => deps.sessions.findByTokenHash(tokenHashes(sessionToken, deps.tokenKeys)),

    whoamiJson({ session, identity }) {
      return { ...session.json, identity: identity.json };
    },

    whoamiBody({ session, identity }) {
      // Cached entries are shared objects that are replaced, never mutated, when they change,
      // so their serialisations can be kept beside them for as long as they live. The whole body
      // is kept per session entry for the identity entry it was built with: a cache hit sends one
      // ready (and already flat) string.
      const kept = bodies.get(session);
      if (kept !== undefined && kept.identity === identity) return kept.body;
      let sessionText = serialized.get(session);
      if (sessionText === undefined) {
        sessionText = JSON.stringify(session.json).slice(0, -1);
        serialized.set(session, sessionText);
      }
      let identityText = serialized.get(identity);
      if (identityText === undefined) {
        identityText = JSON.stringify(identity.json);
        serialized.set(identity, identityText);
      }
      // session.json always has keys, so the object text ends with `}` and takes a comma.
      const body = `${sessionText},"identity":${identityText}}`;
      bodies.set(session, { identity, body });
      return body;
    },

    get: (id) => deps.sessions.get(id),

    list: (query) => deps.sessions.list({ ...query, now: now() }),

    count: (query) => deps.sessions.count({ ...query, now: now() }),

    toJson(session, identity) {
      const json = serializeSession(session, now());
      if (identity) json.identity = serializeSessionIdentity(identity, deps.schemaUrl(identity.schema_id));
      return json;
    },

    logoutTokenFor: logoutTokenOf,

    revoke,

    async revokeIdentitySessions(identityId, exceptId) {
      const revoked = await deps.sessions.revokeForIdentity(identityId, now(), exceptId);
      await forget(revoked);
      return revoked.length;
    },

    async revokeIdentitySessionsCounted(identityId, exceptId) {
      const { matched, revoked } = await deps.sessions.revokeForIdentityCounted(identityId, now(), exceptId);
      await forget(revoked);
      return matched;
    },

    manage: createBulkSessions({
      store: deps.sessions,
      forget: forgetHashes,
      batchSize: deps.bulkBatchSize ?? DEFAULT_BULK_BATCH_SIZE,
      now,
    }),

    async extend(sessionId) {
      const at = now();
      const session = await deps.sessions.get(sessionId);
      if (!session) return undefined;
      // As Kratos: a revoked session is answered as it is (active: false), not extended.
      if (!session.active) return session;
      const earliest = deps.config.earliestPossibleExtendMs;
      const remaining = session.expires_at.getTime() - at.getTime();
      // Kratos: outside the extension window the session is returned as it is.
      if (earliest !== undefined && remaining > earliest) return session;
      const extended = await deps.sessions.extend(
        sessionId,
        new Date(at.getTime() + deps.config.lifespanMs),
        at,
      );
      if (extended) await forget([session]);
      return extended;
    },

    async identityChanged(identityId, identity) {
      // SQL first, then the caches, as for every revocation: the sessions are ended even if
      // something goes wrong after.
      const revoked =
        identity?.state === 'active' ? [] : await deps.sessions.revokeForIdentity(identityId, now());
      await Promise.all([deps.cache.identities.invalidate([identityId]), forget(revoked)]);
    },
  };
}

/** The device entry a sign-in adds to its session. */
function deviceOf(input: IssueInput): SessionDevice {
  return {
    id: randomUUID(),
    ip_address: input.device.ipAddress,
    user_agent: input.device.userAgent,
    location: input.device.location ?? '',
  };
}
