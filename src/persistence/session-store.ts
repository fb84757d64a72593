import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import type {
  AuthenticationMethod,
  AuthenticatorAssuranceLevel,
  Session,
  SessionDevice,
} from '../session/model.js';
import { preparedQuery } from './compiled-query.js';
import { decodeNewestFirstToken, encodeNewestFirstToken, toPage } from './page-token.js';
import { fromJson, toBool, toDate, toJson } from './row-codec.js';
import type { SessionsTable, Tables } from './tables.js';
import { uuidKey, uuidKeys } from './uuid.js';

export interface ListSessionsQuery {
  identityId?: string;
  /** Leave this session out (the caller's own, when it lists its other sessions). */
  excludeId?: string;
  /** true: usable now (active and not expired); false: revoked or expired; undefined: all. */
  active?: boolean;
  pageSize: number;
  /** Keyset paging: the page after the one this token ended. */
  pageToken?: string;
  /** Numbered paging (Kratos's deprecated `page`): rows to skip, in the same id order. */
  offset?: number;
  now: Date;
}

/** The filters of a session list, without its paging: what `count` counts. */
export type SessionFilterQuery = Pick<ListSessionsQuery, 'identityId' | 'excludeId' | 'active' | 'now'>;

/** What a refresh login changes on the session it re-authenticates. */
export interface SessionReauthentication {
  authenticationMethods: Session['authentication_methods'];
  devices: Session['devices'];
  aal: Session['aal'];
  authenticatedAt: Date;
  expiresAt: Date;
}

/** Which sessions a bulk operation walks, one page of ids at a time (see `pageIds`). */
export interface SessionIdPageQuery {
  /** Only sessions of these identities; every session when absent. */
  identityIds?: readonly string[];
  /** Only sessions whose `active` flag is still set (expired ones included). */
  activeOnly: boolean;
  /** Only ids after this one: a walk within one call never revisits a row. */
  afterId?: string;
  limit: number;
}

/** Persistence of sessions. Tokens are looked up by their keyed hashes only. */
export interface SessionStore {
  create(session: Session): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  /** The session whose token hashes to one of `hashes` (one per secret in rotation). */
  findByTokenHash(hashes: readonly string[]): Promise<Session | undefined>;
  list(query: ListSessionsQuery): Promise<{ sessions: Session[]; nextPageToken?: string }>;
  /** How many sessions `list` would walk through with these filters (`X-Total-Count`). */
  count(query: SessionFilterQuery): Promise<number>;
  /** Marks the session inactive; returns it as it was, or undefined if there was none. */
  revoke(id: string, now: Date): Promise<Session | undefined>;
  /** Marks every active session of the identity inactive, but `exceptId`; returns them. */
  revokeForIdentity(identityId: string, now: Date, exceptId?: string): Promise<Session[]>;
  /**
   * The same, also saying how many sessions of the identity (but `exceptId`) there were, revoked
   * or expired ones included: the count Kratos's RevokeSessionsIdentityExcept answers.
   */
  revokeForIdentityCounted(
    identityId: string,
    now: Date,
    exceptId?: string,
  ): Promise<{ matched: number; revoked: Session[] }>;
  /** Sets a new expiry on an active session; returns the updated session. */
  extend(id: string, expiresAt: Date, now: Date): Promise<Session | undefined>;
  /**
   * A refresh login on an active session: its methods, AAL, authentication and issue times and
   * expiry replaced (id and token kept); returns the updated session.
   */
  reauthenticate(id: string, change: SessionReauthentication): Promise<Session | undefined>;
  /** Up to `limit` session ids, in id order: what a bulk operation handles next. */
  pageIds(query: SessionIdPageQuery): Promise<string[]>;
  /**
   * Marks the sessions inactive where they still are active; returns the token hashes of the
   * ones it changed (so a session disabled meanwhile by someone else is not counted twice).
   */
  disableMany(ids: readonly string[], now: Date): Promise<string[]>;
  /** Deletes the sessions; returns the token hashes of the ones it removed. */
  deleteMany(ids: readonly string[]): Promise<string[]>;
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
  // The statements of the login and whoami paths, compiled once (see preparedQuery).
  const selectById = preparedQuery<[string], Selectable<SessionsTable>>(
    db,
    (q, id) => q.selectFrom('sessions').selectAll().where('id', '=', id),
    1,
  );
  const selectByTokenHash = preparedQuery<[string], Selectable<SessionsTable>>(
    db,
    (q, hash) => q.selectFrom('sessions').selectAll().where('token_hash', '=', hash),
    1,
  );
  type Row = [
    id: string,
    identity_id: string,
    token_hash: string,
    logout_token_hash: string,
    active: boolean,
    aal: string,
    authentication_methods: string,
    devices: string,
    issued_at: Date,
    authenticated_at: Date,
    expires_at: Date,
    created_at: Date,
    updated_at: Date,
  ];
  const insert = preparedQuery<Row, never>(
    db,
    (q, ...row) =>
      q.insertInto('sessions').values({
        id: row[0],
        identity_id: row[1],
        token_hash: row[2],
        logout_token_hash: row[3],
        active: row[4],
        aal: row[5],
        authentication_methods: row[6],
        devices: row[7],
        issued_at: row[8],
        authenticated_at: row[9],
        expires_at: row[10],
        created_at: row[11],
        updated_at: row[12],
      }),
    13,
  );

  /**
   * One transaction: the active sessions of the identity but `exceptId` are marked inactive, and,
   * when `withCount`, all of them are counted, inactive ones included, as Kratos's
   * revokeMatchingSessions counts on SQLite (the UPDATE's matched rows) and PostgreSQL
   * (`SELECT count(*) FROM found`) alike. Only `DELETE /sessions` answers with that count: the
   * other revocations (logout everywhere, a disabled identity, hooks) skip the query.
   */
  async function revokeMatching(
    identityId: string,
    now: Date,
    exceptId: string | undefined,
    withCount: boolean,
  ): Promise<{ matched: number; revoked: Session[] }> {
    const key = uuidKey(identityId);
    if (key === undefined) return { matched: 0, revoked: [] };
    return db.transaction().execute(async (trx) => {
      let counted = trx
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('identity_id', '=', key);
      let select = trx
        .selectFrom('sessions')
        .selectAll()
        .where('identity_id', '=', key)
        .where('active', '=', true);
      if (exceptId !== undefined) {
        counted = counted.where('id', '!=', exceptId);
        select = select.where('id', '!=', exceptId);
      }
      const rows = await select.execute();
      if (rows.length > 0) {
        await trx
          .updateTable('sessions')
          .set({ active: false, updated_at: now })
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
      }
      // PostgreSQL's count is a bigint, which pg hands over as a string.
      const matched = withCount ? Number((await counted.executeTakeFirst())?.n ?? 0) : rows.length;
      return { matched, revoked: rows.map(toSession) };
    });
  }

  async function byId(id: string): Promise<Session | undefined> {
    const key = uuidKey(id);
    if (key === undefined) return undefined;
    const [row] = (await selectById(key)).rows;
    return row ? toSession(row) : undefined;
  }

  return {
    async create(session) {
      await insert(
        session.id,
        session.identity_id,
        session.token_hash,
        session.logout_token_hash,
        session.active,
        session.aal,
        toJson(session.authentication_methods),
        toJson(session.devices),
        session.issued_at,
        session.authenticated_at,
        session.expires_at,
        session.created_at,
        session.updated_at,
      );
    },

    get: byId,

    async findByTokenHash(hashes) {
      if (hashes.length === 0) return undefined;
      // One key in the usual case (no secrets.default rotation going on): the compiled statement.
      const [row] =
        hashes.length === 1 && hashes[0] !== undefined
          ? (await selectByTokenHash(hashes[0])).rows
          : await db
              .selectFrom('sessions')
              .selectAll()
              .where('token_hash', 'in', [...hashes])
              .execute();
      return row ? toSession(row) : undefined;
    },

    async list(query) {
      // Newest first, as Kratos lists sessions (created_at DESC, then its keyset's id ASC): the
      // id orders sessions created in the same millisecond, so pages neither repeat nor skip one.
      let q = matching(db.selectFrom('sessions').selectAll(), query)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'asc')
        .limit(query.pageSize + 1);
      if (query.pageToken !== undefined) {
        const after = decodeNewestFirstToken(query.pageToken);
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '<', after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
          ]),
        );
      }
      if (query.offset !== undefined && query.offset > 0) q = q.offset(query.offset);
      const page = toPage((await q.execute()).map(toSession), query.pageSize, encodeNewestFirstToken);
      return page.nextPageToken === undefined
        ? { sessions: page.items }
        : { sessions: page.items, nextPageToken: page.nextPageToken };
    },

    async count(query) {
      const row = await matching(
        db.selectFrom('sessions').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')),
        query,
      ).executeTakeFirst();
      // PostgreSQL's count is a bigint, which pg hands over as a string.
      return Number(row?.n ?? 0);
    },

    async revoke(id, now) {
      const session = await byId(id);
      if (!session) return undefined;
      await db
        .updateTable('sessions')
        .set({ active: false, updated_at: now })
        .where('id', '=', session.id)
        .execute();
      return session;
    },

    async revokeForIdentity(identityId, now, exceptId) {
      return (await revokeMatching(identityId, now, exceptId, false)).revoked;
    },

    revokeForIdentityCounted: (identityId, now, exceptId) => revokeMatching(identityId, now, exceptId, true),

    async extend(id, expiresAt, now) {
      const key = uuidKey(id);
      if (key === undefined) return undefined;
      const result = await db
        .updateTable('sessions')
        .set({ expires_at: expiresAt, updated_at: now })
        .where('id', '=', key)
        .where('active', '=', true)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? byId(key) : undefined;
    },

    async reauthenticate(id, change) {
      const key = uuidKey(id);
      if (key === undefined) return undefined;
      const result = await db
        .updateTable('sessions')
        .set({
          authentication_methods: toJson(change.authenticationMethods),
          devices: toJson(change.devices),
          aal: change.aal,
          authenticated_at: change.authenticatedAt,
          issued_at: change.authenticatedAt,
          expires_at: change.expiresAt,
          updated_at: change.authenticatedAt,
        })
        .where('id', '=', key)
        .where('active', '=', true)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? byId(key) : undefined;
    },

    async pageIds(query) {
      const identityIds = query.identityIds && uuidKeys(query.identityIds);
      if (identityIds !== undefined && identityIds.length === 0) return [];
      let q = db.selectFrom('sessions').select('id').orderBy('id').limit(query.limit);
      if (identityIds !== undefined) q = q.where('identity_id', 'in', identityIds);
      if (query.activeOnly) q = q.where('active', '=', true);
      if (query.afterId !== undefined) q = q.where('id', '>', query.afterId);
      return (await q.execute()).map((row) => row.id);
    },

    async disableMany(ids, now) {
      const valid = uuidKeys(ids);
      if (valid.length === 0) return [];
      const rows = await db
        .updateTable('sessions')
        .set({ active: false, updated_at: now })
        .where('id', 'in', valid)
        // Re-checked by the UPDATE itself: under concurrent calls each session is counted once.
        .where('active', '=', true)
        .returning('token_hash')
        .execute();
      return rows.map((row) => row.token_hash);
    },

    async deleteMany(ids) {
      const valid = uuidKeys(ids);
      if (valid.length === 0) return [];
      const rows = await db.deleteFrom('sessions').where('id', 'in', valid).returning('token_hash').execute();
      return rows.map((row) => row.token_hash);
    },
  };
}

/** The list filters of `query` applied to a select over `sessions` (list and count share them). */
function matching<O>(
  q: SelectQueryBuilder<Tables, 'sessions', O>,
  query: SessionFilterQuery,
): SelectQueryBuilder<Tables, 'sessions', O> {
  let out = q;
  if (query.identityId !== undefined) out = out.where('identity_id', '=', query.identityId.toLowerCase());
  if (query.excludeId !== undefined) out = out.where('id', '!=', query.excludeId);
  if (query.active === true) out = out.where('active', '=', true).where('expires_at', '>', query.now);
  if (query.active === false) {
    out = out.where((eb) => eb.or([eb('active', '=', false), eb('expires_at', '<=', query.now)]));
  }
  return out;
}
