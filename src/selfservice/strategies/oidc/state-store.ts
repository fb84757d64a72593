import type { Kysely, Selectable } from 'kysely';
import { toDate } from '../../../persistence/row-codec.js';
import type { SelfServiceOidcStatesTable, Tables } from '../../../persistence/tables.js';
import type { FlowKind } from '../../flow/flow.js';

/** What a redirect to a provider leaves behind for its callback (see migration 0008). */
export interface OidcContinuity {
  /** SHA-256 (hex) of the `state` parameter; the secret itself is never stored. */
  stateHash: string;
  flowId: string;
  flowKind: FlowKind;
  provider: string;
  /** SHA-256 (hex) of the continuity cookie: the callback must come from the same browser. */
  browserHash: string;
  pkceVerifier: string | null;
  nonce: string | null;
  expiresAt: Date;
  createdAt: Date;
}

/** The continuity of OpenID Connect sign-ins; each entry is read at most once. */
export interface OidcStateStore {
  /** Stores a new entry (and forgets expired ones). */
  save(entry: OidcContinuity, now: Date): Promise<void>;
  /**
   * Removes and returns the entry of `stateHash` in one statement: of several callbacks with the
   * same state exactly one gets it, and a replayed callback finds nothing.
   */
  take(stateHash: string): Promise<OidcContinuity | undefined>;
}

function fromRow(row: Selectable<SelfServiceOidcStatesTable>): OidcContinuity {
  return {
    stateHash: row.state_hash,
    flowId: row.flow_id,
    flowKind: row.flow_kind as FlowKind,
    provider: row.provider,
    browserHash: row.browser_hash,
    pkceVerifier: row.pkce_verifier,
    nonce: row.nonce,
    expiresAt: toDate(row.expires_at),
    createdAt: toDate(row.created_at),
  };
}

export function createOidcStateStore(db: Kysely<Tables>): OidcStateStore {
  return {
    async save(entry, now) {
      await db.deleteFrom('selfservice_oidc_states').where('expires_at', '<', now).execute();
      await db
        .insertInto('selfservice_oidc_states')
        .values({
          state_hash: entry.stateHash,
          flow_id: entry.flowId,
          flow_kind: entry.flowKind,
          provider: entry.provider,
          browser_hash: entry.browserHash,
          pkce_verifier: entry.pkceVerifier,
          nonce: entry.nonce,
          expires_at: entry.expiresAt,
          created_at: entry.createdAt,
        })
        .execute();
    },
    async take(stateHash) {
      const row = await db
        .deleteFrom('selfservice_oidc_states')
        .where('state_hash', '=', stateHash)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },
  };
}
