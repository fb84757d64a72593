import type { Kysely, Selectable } from 'kysely';
import type { JsonValue } from '../identity/model.js';
import type { FlowKind, FlowType, SelfServiceFlow } from '../selfservice/flow/flow.js';
import type { UiContainer } from '../selfservice/flow/ui.js';
import { preparedQuery } from './compiled-query.js';
import { fromJson, toBool, toDate, toJson } from './row-codec.js';
import type { SelfServiceFlowsTable, Tables } from './tables.js';
import { uuidKey } from './uuid.js';

/** Persistence of self-service flows. */
export interface FlowStore {
  create(flow: SelfServiceFlow): Promise<void>;
  /** The flow of that kind, or undefined (a login flow id never finds a registration flow). */
  get(kind: FlowKind, id: string): Promise<SelfServiceFlow | undefined>;
  /** Saves what a submission changed: ui, state, active method, internal state. */
  update(flow: SelfServiceFlow): Promise<void>;
  /**
   * Saves a new state and active method alone (a login or registration that succeeded), leaving
   * the ui and internal state as stored: `update` would serialise and write them again unchanged.
   * Only a flow not in that state already moves: true when this call moved it, so of requests
   * racing to complete one flow exactly one is told it did.
   */
  updateState(flow: Pick<SelfServiceFlow, 'id' | 'state' | 'active' | 'updated_at'>): Promise<boolean>;
  /**
   * `update`, but only while the stored flow is still the version that was read (its `updated_at`
   * is still `readAt`); true when it wrote. For a change that must happen once however many
   * requests race on the flow: the loser finds nothing to write. `flow.updated_at` must differ
   * from `readAt`, or a later racer would still match.
   */
  updateIfUnchanged(flow: SelfServiceFlow, readAt: Date): Promise<boolean>;
  /** Removes flows that expired before `before`; returns how many. */
  deleteExpired(before: Date): Promise<number>;
}

function toFlow(row: Selectable<SelfServiceFlowsTable>): SelfServiceFlow {
  return {
    id: row.id,
    kind: row.kind as FlowKind,
    type: row.type as FlowType,
    state: row.state,
    request_url: row.request_url,
    return_to: row.return_to,
    active: row.active,
    ui: fromJson<UiContainer>(row.ui),
    refresh: toBool(row.refresh),
    requested_aal: row.requested_aal,
    internal: fromJson<Record<string, JsonValue>>(row.internal),
    issued_at: toDate(row.issued_at),
    expires_at: toDate(row.expires_at),
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}

export function createFlowStore(db: Kysely<Tables>): FlowStore {
  // Every flow's creation, fetch and update goes through these: compiled once (see preparedQuery).
  type Row = [
    id: string,
    kind: string,
    type: string,
    state: string,
    request_url: string,
    return_to: string | null,
    active: string | null,
    ui: string,
    refresh: boolean,
    requested_aal: string,
    internal: string,
    issued_at: Date,
    expires_at: Date,
    created_at: Date,
    updated_at: Date,
  ];
  const insert = preparedQuery<Row, never>(
    db,
    (q, ...row) =>
      q.insertInto('selfservice_flows').values({
        id: row[0],
        kind: row[1],
        type: row[2],
        state: row[3],
        request_url: row[4],
        return_to: row[5],
        active: row[6],
        ui: row[7],
        refresh: row[8],
        requested_aal: row[9],
        internal: row[10],
        issued_at: row[11],
        expires_at: row[12],
        created_at: row[13],
        updated_at: row[14],
      }),
    15,
  );
  const select = preparedQuery<[string, string], Selectable<SelfServiceFlowsTable>>(
    db,
    (q, id, kind) =>
      q.selectFrom('selfservice_flows').selectAll().where('id', '=', id).where('kind', '=', kind),
    2,
  );
  const update = preparedQuery<
    [state: string, active: string | null, ui: string, internal: string, updated_at: Date, id: string],
    never
  >(
    db,
    (q, state, active, ui, internal, updatedAt, id) =>
      q
        .updateTable('selfservice_flows')
        .set({ state, active, ui, internal, updated_at: updatedAt })
        .where('id', '=', id),
    6,
  );
  const updateState = preparedQuery<
    [state: string, active: string | null, updated_at: Date, id: string, from: string],
    never
  >(
    db,
    (q, state, active, updatedAt, id, notAlready) =>
      q
        .updateTable('selfservice_flows')
        .set({ state, active, updated_at: updatedAt })
        .where('id', '=', id)
        .where('state', '<>', notAlready),
    5,
  );

  return {
    async create(flow) {
      await insert(
        flow.id,
        flow.kind,
        flow.type,
        flow.state,
        flow.request_url,
        flow.return_to,
        flow.active,
        toJson(flow.ui),
        flow.refresh,
        flow.requested_aal,
        toJson(flow.internal),
        flow.issued_at,
        flow.expires_at,
        flow.created_at,
        flow.updated_at,
      );
    },

    async get(kind, id) {
      const key = uuidKey(id);
      if (key === undefined) return undefined;
      const [row] = (await select(key, kind)).rows;
      return row ? toFlow(row) : undefined;
    },

    async update(flow) {
      await update(flow.state, flow.active, toJson(flow.ui), toJson(flow.internal), flow.updated_at, flow.id);
    },

    async updateState(flow) {
      const result = await updateState(flow.state, flow.active, flow.updated_at, flow.id, flow.state);
      return (result.numAffectedRows ?? 0n) > 0n;
    },

    async updateIfUnchanged(flow, readAt) {
      if (flow.updated_at.getTime() === readAt.getTime()) {
        throw new Error('updateIfUnchanged needs a new updated_at to tell the versions apart');
      }
      // Rare (a once-only exchange), so built per call rather than prepared.
      const result = await db
        .updateTable('selfservice_flows')
        .set({
          state: flow.state,
          active: flow.active,
          ui: toJson(flow.ui),
          internal: toJson(flow.internal),
          updated_at: flow.updated_at,
        })
        .where('id', '=', flow.id)
        .where('updated_at', '=', readAt)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async deleteExpired(before) {
      const result = await db
        .deleteFrom('selfservice_flows')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
