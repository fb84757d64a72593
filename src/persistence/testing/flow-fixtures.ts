import type { Insertable } from 'kysely';
import type { SelfServiceFlowsTable } from '../tables.js';

/**
 * A minimal `selfservice_flows` row (a native login flow, nothing chosen yet) for tests that
 * write flows below the flow store: `id` and the dates are the caller's.
 */
export function flowRowFixture(
  row: Pick<
    Insertable<SelfServiceFlowsTable>,
    'id' | 'issued_at' | 'expires_at' | 'created_at' | 'updated_at'
  > &
    Partial<Insertable<SelfServiceFlowsTable>>,
): Insertable<SelfServiceFlowsTable> {
  return {
    kind: 'login',
    type: 'api',
    state: 'choose_method',
    request_url: 'http://127.0.0.1/self-service/login/api',
    return_to: null,
    active: null,
    ui: '{}',
    refresh: false,
    requested_aal: 'aal1',
    internal: '{}',
    ...row,
  };
}
