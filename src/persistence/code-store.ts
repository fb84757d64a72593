import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
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
   * The code `consume` would use up now, read without using it (nothing written): for a check
   * that must refuse a redeemable secret before anything is spent.
   */
  findRedeemable(
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

/** Which stored secret a submission names: the flow's, under one of the keyed hashes. */
interface SecretMatch {
  flowKind: CodeFlowKind;
  flowId: string;
  hashes: readonly string[];
  now: Date;
  /** Past its time (`expires_at <= now`) rather than still good (`expires_at > now`). */
  expired: boolean;
}

function unusedSecret(eb: ExpressionBuilder<Tables, 'selfservice_codes'>, match: SecretMatch) {
  return eb.and([
    eb('flow_kind', '=', match.flowKind),
    eb('flow_id', '=', match.flowId),
    eb('code_hash', 'in', [...match.hashes]),
    eb('used_at', 'is', null),
    eb('expires_at', match.expired ? '<=' : '>', match.now),
  ]);
}

export function createCodeStore(db: Kysely<Tables>): CodeStore {
  /**
   * The flow's unused secret under one of `hashes`, fresh or `expired` as asked: with `useUp`
   * marked used in the same conditional UPDATE (so of parallel takers exactly one gets it),
   * else only read. `consume` and `findExpired` differ in the expiry side alone.
   */
  async function takeUnused(
    match: SecretMatch,
    options: { useUp: boolean },
  ): Promise<StoredCode | undefined> {
    if (match.hashes.length === 0) return undefined;
    const row = options.useUp
      ? await db
          .updateTable('selfservice_codes')
          .set({ used_at: match.now })
          .where((eb) => unusedSecret(eb, match))
          .returningAll()
          .executeTakeFirst()
      : await db
          .selectFrom('selfservice_codes')
          .selectAll()
          .where((eb) => unusedSecret(eb, match))
          .executeTakeFirst();
    return row ? fromRow(row as CodeRow) : undefined;
  }

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

    consume: (flowKind, flowId, hashes, now) =>
      takeUnused({ flowKind, flowId, hashes, now, expired: false }, { useUp: true }),

    findRedeemable: (flowKind, flowId, hashes, now) =>
      takeUnused({ flowKind, flowId, hashes, now, expired: false }, { useUp: false }),

    findExpired: (flowKind, flowId, hashes, now, options) =>
      takeUnused({ flowKind, flowId, hashes, now, expired: true }, options),

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
