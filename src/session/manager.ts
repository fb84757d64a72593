import { randomUUID } from 'node:crypto';
import type { SessionConfig } from '../config/index.js';
import type { Identity } from '../identity/model.js';
import type { IdentityStore } from '../persistence/identity-store.js';
import type { ListSessionsQuery, SessionStore } from '../persistence/session-store.js';
import type { AuthenticationMethod, AuthenticatorAssuranceLevel, Session } from './model.js';
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
  now?: () => Date;
}

export interface IssueInput {
  methods: AuthenticationMethod[];
  aal: AuthenticatorAssuranceLevel;
  device: { ipAddress: string | null; userAgent: string | null };
}

export interface IssuedSession {
  session: Session;
  /** The bearer token: returned to the client once, never stored. */
  token: string;
  logoutToken: string;
}

export interface Authenticated {
  session: CachedSession;
  identity: CachedIdentity;
}

/** Sessions: issue, recognise on every request (from cache), revoke everywhere, extend. */
export interface SessionManager {
  issue(identity: Identity, input: IssueInput): Promise<IssuedSession>;
  /** The usable session a token names, with its identity; undefined for anything else. */
  authenticate(token: string): Promise<Authenticated | undefined>;
  /** The stored session a token names, usable or not. */
  findByToken(sessionToken: string): Promise<Session | undefined>;
  /** The session's JSON with its identity, as whoami answers. */
  whoamiJson(authenticated: Authenticated): JsonObject;
  /** The same, serialised; memoised per cached entry so a cache hit does not stringify. */
  whoamiBody(authenticated: Authenticated): string;
  get(id: string): Promise<Session | undefined>;
  list(query: Omit<ListSessionsQuery, 'now'>): Promise<{ sessions: Session[]; nextPageToken?: string }>;
  toJson(session: Session, identity?: Identity): JsonObject;
  /** The logout token of the session `sessionToken` names (for logout URLs). */
  logoutTokenFor(sessionToken: string, session: Session): string | undefined;
  /** Revokes one session everywhere; false when it does not exist. */
  revoke(sessionId: string): Promise<boolean>;
  /** Revokes every active session of the identity but `exceptId`; returns how many. */
  revokeIdentitySessions(identityId: string, exceptId?: string): Promise<number>;
  /** Extends the session by its lifespan, if `earliest_possible_extend` allows it now. */
  extend(sessionId: string): Promise<Session | undefined>;
  /** An identity changed or was deleted: drop its cached view; end its sessions if it is gone or inactive. */
  identityChanged(identityId: string, identity: Identity | undefined): Promise<void>;
}

const DEFAULT_IDENTITY_TTL_MS = 5 * 60_000;

export function createSessionManager(deps: SessionManagerDeps): SessionManager {
  const now = deps.now ?? (() => new Date());
  const serialized = new WeakMap<object, string>();
  const identityTtl = deps.identityCacheTtlMs ?? DEFAULT_IDENTITY_TTL_MS;

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

  async function sessionByToken(token: string, at: Date): Promise<CachedSession | undefined> {
    // Entries are cached under the hash the session was stored with, which is what
    // revocation invalidates. After a rotation of secrets.default that is not the first
    // key's hash, so each key's hash is tried (one or two keys in practice).
    const hashes = tokenHashes(token, deps.tokenKeys);
    for (const hash of hashes) {
      const cached = await deps.cache.sessions.get(hash);
      if (cached) return cached;
    }
    const session = await deps.sessions.findByTokenHash(hashes);
    if (!session) return undefined;
    const entry = cachedSession(session, at);
    const ttl = session.expires_at.getTime() - at.getTime();
    // Only usable sessions are worth caching; the TTL never outlives the session.
    if (session.active && ttl > 0) await deps.cache.sessions.set(session.token_hash, entry, ttl);
    return entry;
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

  async function forget(sessions: Session[]): Promise<void> {
    if (sessions.length > 0) await deps.cache.sessions.invalidate(sessions.map((s) => s.token_hash));
  }

  async function revoke(sessionId: string): Promise<boolean> {
    const session = await deps.sessions.revoke(sessionId, now());
    if (!session) return false;
    await forget([session]);
    return true;
  }

  return {
    async issue(identity, input) {
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
        devices: [
          {
            id: randomUUID(),
            ip_address: input.device.ipAddress,
            user_agent: input.device.userAgent,
            location: null,
          },
        ],
        issued_at: at,
        authenticated_at: at,
        expires_at: new Date(at.getTime() + deps.config.lifespanMs),
        created_at: at,
        updated_at: at,
      };
      await deps.sessions.create(session);
      return { session, token, logoutToken };
    },

    async authenticate(token) {
      if (!token.startsWith(SESSION_TOKEN_PREFIX)) return undefined;
      const at = now();
      const session = await sessionByToken(token, at);
      if (!session?.active || session.expiresAtMs <= at.getTime()) return undefined;
      const identity = await identityById(session.identityId);
      if (!identity?.active) return undefined;
      return { session, identity };
    },

    findByToken: (sessionToken) => deps.sessions.findByTokenHash(tokenHashes(sessionToken, deps.tokenKeys)),

    whoamiJson({ session, identity }) {
      return { ...session.json, identity: identity.json };
    },

    whoamiBody({ session, identity }) {
      // Cached entries are shared objects that are replaced, never mutated, when they change,
      // so their serialisations can be kept beside them for as long as they live.
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
      return `${sessionText},"identity":${identityText}}`;
    },

    get: (id) => deps.sessions.get(id),

    list: (query) => deps.sessions.list({ ...query, now: now() }),

    toJson(session, identity) {
      const json = serializeSession(session, now());
      if (identity) json.identity = serializeSessionIdentity(identity, deps.schemaUrl(identity.schema_id));
      return json;
    },

    logoutTokenFor(sessionToken, session) {
      // Under rotation the token was derived with whichever key was first when it was issued.
      for (const key of deps.tokenKeys) {
        const candidate = deriveLogoutToken(sessionToken, key);
        if (tokenHashes(candidate, deps.tokenKeys).includes(session.logout_token_hash)) return candidate;
      }
      return undefined;
    },

    revoke,

    async revokeIdentitySessions(identityId, exceptId) {
      const revoked = await deps.sessions.revokeForIdentity(identityId, now(), exceptId);
      await forget(revoked);
      return revoked.length;
    },

    async extend(sessionId) {
      const at = now();
      const session = await deps.sessions.get(sessionId);
      if (!session?.active) return undefined;
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
      await deps.cache.identities.invalidate([identityId]);
      if (identity?.state !== 'active') {
        const revoked = await deps.sessions.revokeForIdentity(identityId, now());
        await forget(revoked);
      }
    },
  };
}
