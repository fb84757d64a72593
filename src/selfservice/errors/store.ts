import type { Kysely, Selectable } from 'kysely';
import type { JsonObject } from '../../identity/model.js';
import { fromJson, toBool, toDate, toDateOrNull, toJson } from '../../persistence/row-codec.js';
import type { SelfServiceErrorsTable, Tables } from '../../persistence/tables.js';
import { uuidKey } from '../../persistence/uuid.js';

/** An error a browser flow could not show on a flow (Kratos's ErrorContainer). */
export interface StoredFlowError {
  id: string;
  /** The error body as Kratos shows it under `error`: `{id?, code, status, reason?, message, details?}`. */
  error: JsonObject;
  /**
   * Which browser hit it: a hash of that browser's CSRF secret (see csrfBinding), as Kratos keeps
   * the CSRF token beside an error. Reads do not check it (Kratos's fetchError does not).
   */
  csrfToken: string;
  /** Whether its browser has read it; `seenAt` is the latest read. */
  wasSeen: boolean;
  seenAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Persistence of self-service errors (the `selfservice_errors` table). */
export interface SelfServiceErrorStore {
  create(entry: StoredFlowError): Promise<void>;
  /** The error, or undefined for an unknown id (or one that is not a UUID). */
  get(id: string): Promise<StoredFlowError | undefined>;
  /** Records a read, as Kratos's ReadErrorContainer does. */
  markSeen(id: string, at: Date): Promise<void>;
}

function fromRow(row: Selectable<SelfServiceErrorsTable>): StoredFlowError {
  return {
    id: row.id,
    error: fromJson<JsonObject>(row.errors),
    csrfToken: row.csrf_token,
    wasSeen: toBool(row.was_seen),
    seenAt: toDateOrNull(row.seen_at),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export function createSelfServiceErrorStore(db: Kysely<Tables>): SelfServiceErrorStore {
  return {
    async create(entry) {
      await db
        .insertInto('selfservice_errors')
        .values({
          id: entry.id,
          errors: toJson(entry.error),
          csrf_token: entry.csrfToken,
          seen_at: entry.seenAt,
          was_seen: entry.wasSeen,
          created_at: entry.createdAt,
          updated_at: entry.updatedAt,
        })
        .execute();
    },
    async get(id) {
      // Ids come from URLs: anything but a UUID finds nothing without asking the database.
      const key = uuidKey(id);
      if (key === undefined) return undefined;
      const row = await db
        .selectFrom('selfservice_errors')
        .selectAll()
        .where('id', '=', key)
        .executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },
    async markSeen(id, at) {
      await db
        .updateTable('selfservice_errors')
        .set({ was_seen: true, seen_at: at })
        .where('id', '=', id)
        .execute();
    },
  };
}
