import type { Kysely, Selectable } from 'kysely';
import type {
  AuthenticationMethod,
  AuthenticatorAssuranceLevel,
  Session,
  SessionDevice,
} from '../session/model.js';
import { decodePageToken, toPage, UUID } from './page-token.js';
import { fromJson, toBool, toDate, toJson } from './row-codec.js';
import type { SessionsTable, Tables } from './tables.js';

export interface ListSessionsQuery {
  identityId?: string;
  /** Leave this session out (the caller's own, when it lists its other sessions). */
  excludeId?: string;
  /** true: usable now (active and not expired); false: revoked or expired; undefined: all. */
  active?: boolean;
  pageSize: number;
  pageToken?: string;
  now: Date;
}

/** Persistence of sessions. Tokens are looked up by their keyed hashes only. */
export interface SessionStore {
  create(session: Session): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  /** The session whose token hashes to one of `hashes` (one per secret in rotation). */
  findByTokenHash(hashes: readonly string[]): Promise<Session | undefined>;
  list(query: ListSessionsQuery): Promise<{ sessions: Session[]; nextPageToken?: string }>;
  /** Marks the session inactive; returns it as it was, or undefined if there was none. */
  revoke(id: string, now: Date): Promise<Session | undefined>;
  /** Marks every active session of the identity inactive, but `exceptId`; returns them. */
  revokeForIdentity(identityId: string, now: Date, exceptId?: string): Promise<Session[]>;
  /** Sets a new expiry on an active session; returns the updated session. */
  extend(id: string, expiresAt: Date, now: Date): Promise<Session | undefined>;
}

function toSession(row: Selectable<SessionsTable>): Session {
  return {
    id: row.id,
    identity_id: row.identity_id,
    token_hash: row.token_hash,
    logout_token_hash: row.logout_token_hash,
    active: toBool(row.active),
    aal: row.aal as AuthenticatorAssuranceLevel,
    authentication_methods: fromJson<
      (Omit<AuthenticationMethod, 'completed_at'> & { completed_at: string })[]
    >(row.authentication_methods).map((m) => ({ ...m, completed_at: new Date(m.completed_at) })),
    devices: fromJson<SessionDevice[]>(row.devices),
    issued_at: toDate(row.issued_at),
    authenticated_at: toDate(row.authenticated_at),
    expires_at: toDate(row.expires_at),
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}

export function createSessionStore(db: Kysely<Tables>): SessionStore {
  async function byId(id: string): Promise<Session | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSession(row) : undefined;
  }

  return {
    async create(session) {
      await db
        .insertInto('sessions')
        .values({
          ...session,
          authentication_methods: toJson(session.authentication_methods),
          devices: toJson(session.devices),
        })
        .execute();
    },

    get: byId,

    async findByTokenHash(hashes) {
      if (hashes.length === 0) return undefined;
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('token_hash', 'in', [...hashes])
        .executeTakeFirst();
      return row ? toSession(row) : undefined;
    },

    async list(query) {
      let q = db
        .selectFrom('sessions')
        .selectAll()
        .orderBy('id')
        .limit(query.pageSize + 1);
      if (query.identityId !== undefined) q = q.where('identity_id', '=', query.identityId);
      if (query.excludeId !== undefined) q = q.where('id', '!=', query.excludeId);
      if (query.pageToken !== undefined) q = q.where('id', '>', decodePageToken(query.pageToken));
      if (query.active === true) q = q.where('active', '=', true).where('expires_at', '>', query.now);
      if (query.active === false) {
        q = q.where((eb) => eb.or([eb('active', '=', false), eb('expires_at', '<=', query.now)]));
      }
      const page = toPage((await q.execute()).map(toSession), query.pageSize);
      return page.nextPageToken === undefined
        ? { sessions: page.items }
        : { sessions: page.items, nextPageToken: page.nextPageToken };
    },

    async revoke(id, now) {
      const session = await byId(id);
      if (!session) return undefined;
      await db.updateTable('sessions').set({ active: false, updated_at: now }).where('id', '=', id).execute();
      return session;
    },

    async revokeForIdentity(identityId, now, exceptId) {
      return db.transaction().execute(async (trx) => {
        let select = trx
          .selectFrom('sessions')
          .selectAll()
          .where('identity_id', '=', identityId)
          .where('active', '=', true);
        if (exceptId !== undefined) select = select.where('id', '!=', exceptId);
        const rows = await select.execute();
        if (rows.length === 0) return [];
        await trx
          .updateTable('sessions')
          .set({ active: false, updated_at: now })
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
        return rows.map(toSession);
      });
    },

    async extend(id, expiresAt, now) {
      if (!UUID.test(id)) return undefined;
      const result = await db
        .updateTable('sessions')
        .set({ expires_at: expiresAt, updated_at: now })
        .where('id', '=', id)
        .where('active', '=', true)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? byId(id) : undefined;
    },
  };
}
