import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { toDate, toDateOrNull } from './row-codec.js';
import type { Tables } from './tables.js';

export type CodeFlowKind = 'verification' | 'recovery';
export type CodeMethod = 'code' | 'link';

/** A one-time code or link token as stored: only its keyed hash, never the secret. */
export interface StoredCode {
  id: string;
  flowKind: CodeFlowKind;
  method: CodeMethod;
  flowId: string;
  identityId: string;
  /** The address it was sent to ('' when an admin created it for the identity). */
  address: string;
  usedAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
}

export interface NewCode {
  flowKind: CodeFlowKind;
  method: CodeMethod;
  flowId: string;
  identityId: string;
  address: string;
  codeHash: string;
  expiresAt: Date;
}

/** One-time secrets of the verification and recovery flows, and the flows' submission counts. */
export interface CodeStore {
  /** Writes a code through `executor` (a transaction when the message that carries it is written too). */
  issue(executor: Kysely<Tables>, code: NewCode, now: Date): Promise<StoredCode>;
  /**
   * Uses up the flow's unexpired, unused code whose hash is one of `hashes` (several while
   * secrets rotate) in one conditional UPDATE: of many parallel submissions exactly one gets it.
   */
  consume(
    flowKind: CodeFlowKind,
    flowId: string,
    hashes: readonly string[],
    now: Date,
  ): Promise<StoredCode | undefined>;
  /**
   * The flow's unused code whose hash is one of `hashes` but whose time ran out — what `consume`
   * refuses — so a caller can tell an expired secret from an unknown one, as Kratos's
   * VerificationCode.Validate and VerificationToken.Valid answer flow.ExpiredError rather than
   * "not found". With `useUp` the code is marked used in the same statement (Kratos's
   * UseVerificationToken uses a link token up before checking its expiry); without, it stays as
   * it is (Kratos's useOneTimeCode leaves an expired code unused).
   */
  findExpired(
    flowKind: CodeFlowKind,
    flowId: string,
    hashes: readonly string[],
    now: Date,
    options: { useUp: boolean },
  ): Promise<StoredCode | undefined>;
  /** Marks every unused code of the flow used (a new code was sent, or the flow finished). */
  invalidateFlow(flowId: string, now: Date): Promise<void>;
  /** Counts one submission against the flow and returns the count so far (atomic). */
  countSubmission(flowId: string, now: Date): Promise<number>;
  /** Starts the flow's submission count afresh (a new code was sent). */
  resetSubmissions(flowId: string): Promise<void>;
}

interface CodeRow {
  id: string;
  flow_kind: string;
  method: string;
  flow_id: string;
  identity_id: string;
  address: string;
  used_at: Date | string | null;
  expires_at: Date | string;
  created_at: Date | string;
}

function fromRow(row: CodeRow): StoredCode {
  return {
    id: row.id,
    flowKind: row.flow_kind as CodeFlowKind,
    method: row.method as CodeMethod,
    flowId: row.flow_id,
    identityId: row.identity_id,
    address: row.address,
    usedAt: toDateOrNull(row.used_at),
    expiresAt: toDate(row.expires_at),
    createdAt: toDate(row.created_at),
  };
}

export function createCodeStore(db: Kysely<Tables>): CodeStore {
  return {
    async issue(executor, code, now) {
      const row = {
        id: randomUUID(),
        flow_kind: code.flowKind,
        method: code.method,
        flow_id: code.flowId,
        identity_id: code.identityId,
        address: code.address,
        code_hash: code.codeHash,
        used_at: null,
        expires_at: code.expiresAt,
        created_at: now,
      };
      await executor.insertInto('selfservice_codes').values(row).execute();
      return fromRow(row);
    },

    async consume(flowKind, flowId, hashes, now) {
      if (hashes.length === 0) return undefined;
      const row = await db
        .updateTable('selfservice_codes')
        .set({ used_at: now })
        .where('flow_kind', '=', flowKind)
        .where('flow_id', '=', flowId)
        .where('code_hash', 'in', [...hashes])
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
      return row ? fromRow(row as CodeRow) : undefined;
    },

    async findExpired(flowKind, flowId, hashes, now, options) {
      if (hashes.length === 0) return undefined;
      if (options.useUp) {
        const used = await db
          .updateTable('selfservice_codes')
          .set({ used_at: now })
          .where('flow_kind', '=', flowKind)
          .where('flow_id', '=', flowId)
          .where('code_hash', 'in', [...hashes])
          .where('used_at', 'is', null)
          .where('expires_at', '<=', now)
          .returningAll()
          .executeTakeFirst();
        return used ? fromRow(used as CodeRow) : undefined;
      }
      const row = await db
        .selectFrom('selfservice_codes')
        .selectAll()
        .where('flow_kind', '=', flowKind)
        .where('flow_id', '=', flowId)
        .where('code_hash', 'in', [...hashes])
        .where('used_at', 'is', null)
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return row ? fromRow(row as CodeRow) : undefined;
    },

    async invalidateFlow(flowId, now) {
      await db
        .updateTable('selfservice_codes')
        .set({ used_at: now })
        .where('flow_id', '=', flowId)
        .where('used_at', 'is', null)
        .execute();
    },

    async countSubmission(flowId, now) {
      const row = await db
        .insertInto('selfservice_flow_attempts')
        .values({ flow_id: flowId, count: 1, updated_at: now })
        .onConflict((oc) =>
          oc.column('flow_id').doUpdateSet((eb) => ({
            count: eb('selfservice_flow_attempts.count', '+', 1),
            updated_at: now,
          })),
        )
        .returning('count')
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async resetSubmissions(flowId) {
      await db.deleteFrom('selfservice_flow_attempts').where('flow_id', '=', flowId).execute();
    },
  };
}
