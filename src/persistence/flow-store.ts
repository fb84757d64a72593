import type { Kysely, Selectable } from 'kysely';
import type { JsonValue } from '../identity/model.js';
import type { FlowKind, FlowType, SelfServiceFlow } from '../selfservice/flow/flow.js';
import type { UiContainer } from '../selfservice/flow/ui.js';
import { UUID } from './page-token.js';
import { fromJson, toBool, toDate, toJson } from './row-codec.js';
import type { SelfServiceFlowsTable, Tables } from './tables.js';

/** Persistence of self-service flows. */
export interface FlowStore {
  create(flow: SelfServiceFlow): Promise<void>;
  /** The flow of that kind, or undefined (a login flow id never finds a registration flow). */
  get(kind: FlowKind, id: string): Promise<SelfServiceFlow | undefined>;
  /** Saves what a submission changed: ui, state, active method, internal state. */
  update(flow: SelfServiceFlow): Promise<void>;
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
  return {
    async create(flow) {
      await db
        .insertInto('selfservice_flows')
        .values({ ...flow, ui: toJson(flow.ui), internal: toJson(flow.internal) })
        .execute();
    },

    async get(kind, id) {
      if (!UUID.test(id)) return undefined;
      const row = await db
        .selectFrom('selfservice_flows')
        .selectAll()
        .where('id', '=', id)
        .where('kind', '=', kind)
        .executeTakeFirst();
      return row ? toFlow(row) : undefined;
    },

    async update(flow) {
      await db
        .updateTable('selfservice_flows')
        .set({
          state: flow.state,
          active: flow.active,
          ui: toJson(flow.ui),
          internal: toJson(flow.internal),
          updated_at: flow.updated_at,
        })
        .where('id', '=', flow.id)
        .execute();
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
