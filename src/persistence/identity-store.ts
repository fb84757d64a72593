import { randomUUID } from 'node:crypto';
import {
  type ExpressionBuilder,
  type Kysely,
  type QueryResult,
  type Selectable,
  sql,
  type Transaction,
} from 'kysely';
import type { CredentialType, Identity, JsonObject } from '../identity/model.js';
import { conflict } from '../kernel/errors.js';
import { preparedQuery } from './compiled-query.js';
import { isUniqueViolation } from './errors.js';
import { assembleIdentities, type CredentialIdentifierRow, splitCredentialRows } from './identity-rows.js';
import { decodePageToken, toPage } from './page-token.js';
import { toJson, toJsonOrNull } from './row-codec.js';
import type {
  IdentitiesTable,
  IdentityRecoveryAddressesTable,
  IdentityVerifiableAddressesTable,
  Tables,
} from './tables.js';
import { uuidKey, uuidKeys } from './uuid.js';

/**
 * A credential identifier to look identities up by, as Kratos's `ListIdentities` matches one: the
 * identifiers of password, webauthn and code credentials (emails, usernames, phone numbers, stored
 * normalised) against `normalized`; those of oidc and saml credentials (`provider:subject`, stored
 * as the provider sent them) against `exact`, case and all. No other type's identifiers match.
 */
export interface CredentialIdentifierFilter {
  /** The identifier as given. */
  exact: string;
  /** The identifier normalised as at login. */
  normalized: string;
  /** `equal`: the whole identifier; `prefix`: every identifier that starts with it, `%` and `_` literal. */
  match: 'equal' | 'prefix';
}

export interface ListIdentitiesQuery {
  pageSize: number;
  /** Opaque token from a previous page's `nextPageToken`. */
  pageToken?: string;
  /**
   * Numbered pages (Kratos's legacy `page`, `per_page`): skip this many identities in id order.
   * Such a page never has a `nextPageToken`.
   */
  offset?: number;
  ids?: string[];
  credentialsIdentifier?: CredentialIdentifierFilter;
  /** Identities of this organization (a lower-case UUID, as stored). */
  organizationId?: string;
  /** Also count every identity, whatever the filters, into `total` (Kratos's `X-Total-Count`). */
  countAll?: boolean;
}

export interface IdentityPage {
  identities: Identity[];
  /** Present when there may be more identities after this page. */
  nextPageToken?: string;
  /** How many identities there are in all, when `countAll` asked. */
  total?: number;
}

/** Credential types whose identifiers are stored normalised, and matched so (Kratos's NormalizeIdentifier). */
const NORMALISED_IDENTIFIER_TYPES: readonly CredentialType[] = ['password', 'webauthn', 'code'];
/** Credential types whose identifiers (`provider:subject`) are matched exactly. */
const EXACT_IDENTIFIER_TYPES: readonly CredentialType[] = ['oidc', 'saml'];

/** `value` as a LIKE pattern that matches it literally: `\`, `%` and `_` escaped with `\`. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * What a conditional write of an identity did: `updated`; `missing` when there is no such
 * identity; `stale` when the stored identity is no longer at the version the write was based on
 * (someone else wrote it since it was read, or it was never read from the store): nothing was
 * written, and the writer reads it again and re-applies its change.
 */
export type IdentityWriteOutcome = 'updated' | 'missing' | 'stale';

/** Persistence of the identity aggregate: the identity row with its credentials and addresses. */
export interface IdentityStore {
  /** Inserts the identity (at version 0); a taken identifier, address or external id is a 409 AppError. */
  create(identity: Identity): Promise<void>;
  /**
   * Replaces the stored identity if it is still at `identity.version` (the version it was read
   * at), and moves it to the next version. A taken identifier, address or external id is a 409
   * AppError, and then nothing changed either.
   */
  update(identity: Identity): Promise<IdentityWriteOutcome>;
  /** The identity with its credentials, addresses and `version`. */
  get(id: string): Promise<Identity | undefined>;
  /**
   * Whether the identity exists and is active, as stored now: one indexed single-row read, for
   * checks that must not trust a cache (a session issued while the identity was deactivated).
   */
  isActive(id: string): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  list(query: ListIdentitiesQuery): Promise<IdentityPage>;
  findByCredentialIdentifier(type: CredentialType, identifier: string): Promise<Identity | undefined>;
  /** The identity whose `external_id` is exactly this (it is unique), or undefined. */
  findByExternalId(externalId: string): Promise<Identity | undefined>;
  /**
   * Replaces one credential's config and nothing else (a re-hash at login), so a concurrent
   * admin change to the identity is never overwritten; the identity moves to its next version.
   * With `expectedVersion` (the `version` the identity was read at), only while the identity is
   * still at it: a re-hash of the old password never undoes a password changed meanwhile. False
   * when there is no such credential, or the identity has moved on.
   */
  updateCredentialConfig(
    identityId: string,
    type: CredentialType,
    config: JsonObject,
    at: Date,
    expectedVersion?: number,
  ): Promise<boolean>;
}

/** An identities row, with its version. */
type IdentityRow = Selectable<IdentitiesTable>;

/** Why a conditional write rolled back: thrown inside its transaction, turned into the outcome outside. */
class WriteRefused extends Error {
  constructor(readonly outcome: Exclude<IdentityWriteOutcome, 'updated'>) {
    super(`identity write refused: ${outcome}`);
  }
}

/** The four statements that read one identity, all by the same parameters. */
interface OneIdentityQueries<P extends string[]> {
  identity(...params: P): Promise<QueryResult<IdentityRow>>;
  credentials(...params: P): Promise<QueryResult<CredentialIdentifierRow>>;
  verifiable(...params: P): Promise<QueryResult<Selectable<IdentityVerifiableAddressesTable>>>;
  recovery(...params: P): Promise<QueryResult<Selectable<IdentityRecoveryAddressesTable>>>;
}

const CONFLICT_REASON = 'This identity conflicts with another identity that already exists.';

export function createIdentityStore(db: Kysely<Tables>): IdentityStore {
  /**
   * The credentials of the identities `ids` names with their identifiers, in one statement (a left
   * join: one row per credential and identifier) rather than one per table.
   */
  function credentialsWithIdentifiers(trx: Kysely<Tables>) {
    return (
      trx
        .selectFrom('identity_credentials as c')
        // On identity_id too: that column is indexed (credential_id is not), so each credential's
        // identifiers are found through the index rather than by a scan.
        .leftJoin('identity_credential_identifiers as i', (join) =>
          join.onRef('i.identity_id', '=', 'c.identity_id').onRef('i.credential_id', '=', 'c.id'),
        )
        .selectAll('c')
        .select('i.identifier as identifier')
    );
  }

  async function load(ids: string[], trx: Kysely<Tables> = db): Promise<Identity[]> {
    if (ids.length === 0) return [];
    // The identity rows first (see loadOne: their version must not be newer than the rest).
    const identities = await trx
      .selectFrom('identities')
      .selectAll()
      .where('id', 'in', ids)
      .orderBy('id')
      .execute();
    if (identities.length === 0) return [];
    const [credentials, verifiable, recovery] = await Promise.all([
      credentialsWithIdentifiers(trx).where('c.identity_id', 'in', ids).execute(),
      trx.selectFrom('identity_verifiable_addresses').selectAll().where('identity_id', 'in', ids).execute(),
      trx.selectFrom('identity_recovery_addresses').selectAll().where('identity_id', 'in', ids).execute(),
    ]);
    return assembleIdentities({ identities, ...splitCredentialRows(credentials), verifiable, recovery });
  }

  /**
   * One identity's rows by a fixed-shape condition, with statements compiled once (see
   * preparedQuery): by id (`get`), and by credential identifier, where the identity is found through
   * a subquery in each statement, so the lookup and the load run as four statements (the identity
   * row, then the other three at once: see loadOne) rather than one and then five (the login path).
   */
  const byId: OneIdentityQueries<[string]> = {
    identity: preparedQuery<[string], IdentityRow>(
      db,
      (q, id) => q.selectFrom('identities').selectAll().where('id', '=', id),
      1,
    ),
    credentials: preparedQuery<[string], CredentialIdentifierRow>(
      db,
      (q, id) => credentialsWithIdentifiers(q).where('c.identity_id', '=', id),
      1,
    ),
    verifiable: preparedQuery<[string], Selectable<IdentityVerifiableAddressesTable>>(
      db,
      (q, id) => q.selectFrom('identity_verifiable_addresses').selectAll().where('identity_id', '=', id),
      1,
    ),
    recovery: preparedQuery<[string], Selectable<IdentityRecoveryAddressesTable>>(
      db,
      (q, id) => q.selectFrom('identity_recovery_addresses').selectAll().where('identity_id', '=', id),
      1,
    ),
  };
  const ownerOf = (q: Kysely<Tables>, type: string, identifier: string) =>
    q
      .selectFrom('identity_credential_identifiers')
      .select('identity_credential_identifiers.identity_id')
      .where('identity_credential_identifiers.type', '=', type)
      .where('identity_credential_identifiers.identifier', '=', identifier);
  const byIdentifier: OneIdentityQueries<[string, string]> = {
    identity: preparedQuery<[string, string], IdentityRow>(
      db,
      (q, type, identifier) =>
        q
          .selectFrom('identities')
          .selectAll()
          .where('id', 'in', ownerOf(q, type, identifier)),
      2,
    ),
    credentials: preparedQuery<[string, string], CredentialIdentifierRow>(
      db,
      (q, type, identifier) =>
        credentialsWithIdentifiers(q).where('c.identity_id', 'in', ownerOf(q, type, identifier)),
      2,
    ),
    verifiable: preparedQuery<[string, string], Selectable<IdentityVerifiableAddressesTable>>(
      db,
      (q, type, identifier) =>
        q
          .selectFrom('identity_verifiable_addresses')
          .selectAll()
          .where('identity_id', 'in', ownerOf(q, type, identifier)),
      2,
    ),
    recovery: preparedQuery<[string, string], Selectable<IdentityRecoveryAddressesTable>>(
      db,
      (q, type, identifier) =>
        q
          .selectFrom('identity_recovery_addresses')
          .selectAll()
          .where('identity_id', 'in', ownerOf(q, type, identifier)),
      2,
    ),
  };

  async function loadOne<P extends string[]>(
    queries: OneIdentityQueries<P>,
    ...params: P
  ): Promise<Identity | undefined> {
    // The identity row (with its version) is read before the credentials and addresses, never
    // beside them: on PostgreSQL each statement may run on its own pooled connection with its own
    // snapshot, and a version newer than the children read with it would let a conditional write
    // put old credentials or an undone verification back (the version check would pass). Read
    // first, the version is a lower bound: any commit in between makes that write stale, and it
    // is retried. (On SQLite the statements run one after the other anyway.)
    const identities = await queries.identity(...params);
    if (identities.rows.length === 0) return undefined;
    const [credentials, verifiable, recovery] = await Promise.all([
      queries.credentials(...params),
      queries.verifiable(...params),
      queries.recovery(...params),
    ]);
    const [identity] = assembleIdentities({
      identities: identities.rows,
      ...splitCredentialRows(credentials.rows),
      verifiable: verifiable.rows,
      recovery: recovery.rows,
    });
    return identity;
  }

  /** The state of one identity (the session re-check's read, compiled once). */
  const stateById = preparedQuery<[string], { state: string }>(
    db,
    (q, id) => q.selectFrom('identities').select('state').where('id', '=', id),
    1,
  );

  /**
   * Deletes the identity's credentials (with their identifiers) and addresses. First in every
   * transaction that writes an identity: an in-place update of one of these rows locks it and
   * then, in the version trigger (migration 0011), the identity row; taking them in the same
   * order here means PostgreSQL never has two such transactions wait on each other.
   */
  async function deleteParts(trx: Transaction<Tables>, identityId: string): Promise<void> {
    await trx.deleteFrom('identity_credentials').where('identity_id', '=', identityId).execute();
    await trx.deleteFrom('identity_verifiable_addresses').where('identity_id', '=', identityId).execute();
    await trx.deleteFrom('identity_recovery_addresses').where('identity_id', '=', identityId).execute();
  }

  async function writeParts(trx: Transaction<Tables>, identity: Identity): Promise<void> {
    for (const credential of Object.values(identity.credentials)) {
      if (!credential) continue;
      const credentialId = randomUUID();
      await trx
        .insertInto('identity_credentials')
        .values({
          id: credentialId,
          identity_id: identity.id,
          type: credential.type,
          config: toJson(credential.config),
          version: credential.version,
          created_at: credential.created_at,
          updated_at: credential.updated_at,
        })
        .execute();
      const identifiers = [...new Set(credential.identifiers)];
      if (identifiers.length > 0) {
        await trx
          .insertInto('identity_credential_identifiers')
          .values(
            identifiers.map((identifier) => ({
              id: randomUUID(),
              identity_id: identity.id,
              credential_id: credentialId,
              type: credential.type,
              identifier,
            })),
          )
          .execute();
      }
    }
    if (identity.verifiable_addresses.length > 0) {
      await trx
        .insertInto('identity_verifiable_addresses')
        .values(identity.verifiable_addresses.map((a) => ({ ...a, identity_id: identity.id })))
        .execute();
    }
    if (identity.recovery_addresses.length > 0) {
      await trx
        .insertInto('identity_recovery_addresses')
        .values(identity.recovery_addresses.map((a) => ({ ...a, identity_id: identity.id })))
        .execute();
    }
  }

  function identityRow(identity: Identity) {
    return {
      schema_id: identity.schema_id,
      traits: toJson(identity.traits),
      state: identity.state,
      state_changed_at: identity.state_changed_at,
      metadata_public: toJsonOrNull(identity.metadata_public),
      metadata_admin: toJsonOrNull(identity.metadata_admin),
      external_id: identity.external_id,
      organization_id: identity.organization_id ?? null,
      updated_at: identity.updated_at,
    };
  }

  async function translateConflicts<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(CONFLICT_REASON);
      throw error;
    }
  }

  async function countIdentities(): Promise<number> {
    const row = await db
      .selectFrom('identities')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  return {
    create(identity) {
      return translateConflicts(() =>
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('identities')
            .values({ id: identity.id, created_at: identity.created_at, ...identityRow(identity) })
            .execute();
          await writeParts(trx, identity);
        }),
      );
    },

    async update(identity) {
      const expected = identity.version;
      // An identity never read from the store cannot tell what it would overwrite.
      if (expected === undefined) return 'stale';
      try {
        await translateConflicts(() =>
          db.transaction().execute(async (trx) => {
            // Children are replaced whole: the aggregate is small and this keeps the unique
            // constraints the single source of truth for conflicts. Deleted first (see deleteParts);
            // a write that turns out stale rolls the deletes back.
            await deleteParts(trx, identity.id);
            // Conditional on the version read, as an optimistic lock: of two writers that read the
            // same version, the second changes nothing (and its writer re-reads and re-applies).
            const result = await trx
              .updateTable('identities')
              .set({ ...identityRow(identity), version: expected + 1 })
              .where('id', '=', identity.id)
              .where('version', '=', expected)
              .executeTakeFirst();
            if (result.numUpdatedRows === 0n) {
              const found = await trx
                .selectFrom('identities')
                .select('id')
                .where('id', '=', identity.id)
                .executeTakeFirst();
              throw new WriteRefused(found === undefined ? 'missing' : 'stale');
            }
            await writeParts(trx, identity);
          }),
        );
        return 'updated';
      } catch (error) {
        if (error instanceof WriteRefused) return error.outcome;
        throw error;
      }
    },

    async get(id) {
      const key = uuidKey(id);
      if (key === undefined) return undefined;
      return loadOne(byId, key);
    },

    async isActive(id) {
      const key = uuidKey(id);
      if (key === undefined) return false;
      const { rows } = await stateById(key);
      return rows[0]?.state === 'active';
    },

    async delete(id) {
      const key = uuidKey(id);
      if (key === undefined) return false;
      return db.transaction().execute(async (trx) => {
        // The children first, in the lock order of update (the rest cascades).
        await deleteParts(trx, key);
        const result = await trx.deleteFrom('identities').where('id', '=', key).executeTakeFirst();
        return result.numDeletedRows > 0n;
      });
    },

    async list(query) {
      const total = query.countAll ? countIdentities() : undefined;
      let q = db.selectFrom('identities').select('identities.id').orderBy('identities.id');
      // As Kratos's ListIdentities: `AND identities.organization_id = ?`.
      if (query.organizationId !== undefined) {
        q = q.where('identities.organization_id', '=', query.organizationId);
      }
      q =
        query.offset === undefined
          ? q.limit(query.pageSize + 1)
          : q.limit(query.pageSize).offset(query.offset);
      if (query.pageToken !== undefined && query.offset === undefined) {
        q = q.where('identities.id', '>', decodePageToken(query.pageToken));
      }
      if (query.ids !== undefined) {
        const ids = uuidKeys(query.ids);
        if (ids.length === 0) return withTotal({ identities: [] }, await total);
        q = q.where('identities.id', 'in', ids);
      }
      const filter = query.credentialsIdentifier;
      if (filter !== undefined) {
        q = q.where('identities.id', 'in', (sub) =>
          sub
            .selectFrom('identity_credential_identifiers as ici')
            .select('ici.identity_id')
            .where((eb) =>
              eb.or([
                eb.and([
                  eb('ici.type', 'in', NORMALISED_IDENTIFIER_TYPES),
                  identifierMatches(eb, filter.match, filter.normalized),
                ]),
                eb.and([
                  eb('ici.type', 'in', EXACT_IDENTIFIER_TYPES),
                  identifierMatches(eb, filter.match, filter.exact),
                ]),
              ]),
            ),
        );
      }
      const rows = await q.execute();
      if (query.offset !== undefined) {
        return withTotal({ identities: await load(rows.map((r) => r.id)) }, await total);
      }
      const page = toPage(rows, query.pageSize);
      const identities = await load(page.items.map((r) => r.id));
      return withTotal(
        page.nextPageToken === undefined ? { identities } : { identities, nextPageToken: page.nextPageToken },
        await total,
      );
    },

    async updateCredentialConfig(identityId, type, config, at, expectedVersion) {
      // One statement: the version trigger (migration 0011) moves the identity to its next
      // version, so a writer that read it before this re-reads rather than putting the old
      // config back.
      let update = db
        .updateTable('identity_credentials')
        .set({ config: toJson(config), updated_at: at })
        .where('identity_id', '=', identityId)
        .where('type', '=', type);
      if (expectedVersion !== undefined) {
        update = update.where((eb) =>
          eb.exists(
            db
              .selectFrom('identities')
              .select('id')
              .where('id', '=', identityId)
              .where('version', '=', expectedVersion),
          ),
        );
      }
      const result = await update.executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    findByCredentialIdentifier(type, identifier) {
      // (type, identifier) is unique, so the subquery names at most one identity.
      return loadOne(byIdentifier, type, identifier);
    },

    async findByExternalId(externalId) {
      // An admin lookup, off the hot path: find the id, then load the aggregate as `get` does.
      const row = await db
        .selectFrom('identities')
        .select('id')
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return row === undefined ? undefined : loadOne(byId, row.id);
    },
  };
}

function withTotal(page: IdentityPage, total: number | undefined): IdentityPage {
  return total === undefined ? page : { ...page, total };
}

/**
 * `ici.identifier` equal to `value`, or starting with it. A prefix is matched with LIKE as Kratos
 * does (escaped, so `%` and `_` are literal), and then compared exactly: SQLite's LIKE ignores
 * ASCII case, and an oidc subject's case matters (`okta:00uAbC` is not `okta:00uabc`).
 */
function identifierMatches(
  eb: ExpressionBuilder<Tables & { ici: Tables['identity_credential_identifiers'] }, 'ici'>,
  match: CredentialIdentifierFilter['match'],
  value: string,
) {
  if (match === 'equal') return eb('ici.identifier', '=', value);
  const identifier = sql.ref('ici.identifier');
  return eb.and([
    sql<boolean>`${identifier} like ${`${escapeLike(value)}%`} escape '\\'`,
    sql<boolean>`substr(${identifier}, 1, ${[...value].length}) = ${value}`,
  ]);
}
