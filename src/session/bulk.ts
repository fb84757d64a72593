/**
 * Kratos's `POST /admin/sessions` (manageSessions): disable or delete sessions in bulk, by
 * identity, by session id, or every session (`identities: ["*"]`) one batch per call.
 */
import type { SessionStore } from '../persistence/session-store.js';

export type ManageSessionsAction = 'disable' | 'delete';

/** Which sessions a call covers; explicit id lists are already validated and deduplicated. */
export type ManageSessionsScope =
  | { kind: 'all' }
  | { kind: 'identities'; identityIds: readonly string[] }
  | { kind: 'sessions'; sessionIds: readonly string[] };

export interface ManageSessionsCommand {
  action: ManageSessionsAction;
  scope: ManageSessionsScope;
}

/** Kratos's manageSessionsResponse. */
export interface ManageSessionsResult {
  /** Sessions this call disabled (only those that were active) or deleted. */
  processed: number;
  /** Only for `all`: the call reached its batch limit and sessions may remain. */
  more: boolean;
}

export interface BulkSessionsDeps {
  store: Pick<SessionStore, 'pageIds' | 'disableMany' | 'deleteMany'>;
  /**
   * Drops the token hashes from the cache here and on every replica (one round-trip per call).
   * Does not fail for an unreachable Redis (see the manager's `forgetHashes`).
   */
  forget(tokenHashes: readonly string[]): Promise<void>;
  /**
   * Rows per batch: one SQL select, one SQL write and one cache invalidation each, and the most
   * an `all` call handles.
   */
  batchSize: number;
  now(): Date;
}

/**
 * Sessions per batch unless configured: a batch is one Redis script and one pub/sub message of
 * about 50 KB of token hashes, a size every replica applies at once.
 */
export const DEFAULT_BULK_BATCH_SIZE = 1000;

export function createBulkSessions(deps: BulkSessionsDeps) {
  /** Disables or deletes these sessions; SQL first, then every replica's cache. */
  async function apply(action: ManageSessionsAction, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const hashes =
      action === 'disable' ? await deps.store.disableMany(ids, deps.now()) : await deps.store.deleteMany(ids);
    await deps.forget(hashes);
    return hashes.length;
  }

  /** The next batch of ids in scope; disable skips sessions that are already inactive. */
  function nextBatch(
    action: ManageSessionsAction,
    identityIds: readonly string[] | undefined,
    afterId?: string,
  ) {
    return deps.store.pageIds({
      ...(identityIds === undefined ? {} : { identityIds }),
      activeOnly: action === 'disable',
      ...(afterId === undefined ? {} : { afterId }),
      limit: deps.batchSize,
    });
  }

  return async function manage({ action, scope }: ManageSessionsCommand): Promise<ManageSessionsResult> {
    switch (scope.kind) {
      case 'sessions':
        // At most 500 ids (the route checks): one statement.
        return { processed: await apply(action, scope.sessionIds), more: false };
      case 'all': {
        // One batch per call, so memory and request time stay bounded however many sessions
        // exist; the caller re-issues the call while `more` is true. A full batch of candidates
        // means rows may remain, even if a concurrent call got to some of them first.
        const ids = await nextBatch(action, undefined);
        return { processed: await apply(action, ids), more: ids.length === deps.batchSize };
      }
      case 'identities': {
        // Explicit requests finish the job (`more` is always false), batch after batch; walking
        // by id means every batch makes progress whatever happens concurrently.
        let processed = 0;
        let afterId: string | undefined;
        for (;;) {
          const ids = await nextBatch(action, scope.identityIds, afterId);
          processed += await apply(action, ids);
          if (ids.length < deps.batchSize) return { processed, more: false };
          afterId = ids[ids.length - 1];
        }
      }
    }
  };
}
