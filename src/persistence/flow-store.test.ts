import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SelfServiceFlow } from '../selfservice/flow/flow.js';
import type { Database } from './database.js';
import { createFlowStore, type FlowStore } from './flow-store.js';
import { testEngines } from './testing/engines.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');

function flowFixture(overrides: Partial<SelfServiceFlow> = {}): SelfServiceFlow {
  return {
    id: randomUUID(),
    kind: 'login',
    type: 'browser',
    state: 'choose_method',
    request_url: 'http://127.0.0.1:4433/self-service/login/browser',
    return_to: null,
    active: null,
    ui: {
      action: 'http://127.0.0.1:4433/self-service/login?flow=x',
      method: 'POST',
      nodes: [],
    },
    refresh: false,
    requested_aal: 'aal1',
    internal: { note: 'server only' },
    issued_at: NOW,
    expires_at: new Date('2026-06-01T13:00:00.000Z'),
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

describe.each(testEngines())('flow store contract ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let store: FlowStore;

  beforeAll(async () => {
    database = await engine.open();
    store = createFlowStore(database.db);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('stores a flow and finds it only under its own kind', async () => {
    const flow = flowFixture({ return_to: 'https://app.example.com/after' });
    await store.create(flow);
    expect(await store.get('login', flow.id)).toEqual(flow);
    expect(await store.get('registration', flow.id)).toBeUndefined();
    expect(await store.get('login', 'nope')).toBeUndefined();
  });

  it('saves what a submission changed', async () => {
    const flow = flowFixture();
    await store.create(flow);
    const changed: SelfServiceFlow = {
      ...flow,
      active: 'password',
      ui: { ...flow.ui, messages: [{ id: 4000006, text: 'bad', type: 'error' }] },
      internal: { attempts: 1 },
      updated_at: new Date('2026-06-01T12:05:00.000Z'),
    };
    await store.update(changed);
    expect(await store.get('login', flow.id)).toEqual(changed);
  });

  it('saves a new state alone, leaving the ui and internal state as stored', async () => {
    const flow = flowFixture({ internal: { attempts: 2 } });
    await store.create(flow);
    const updatedAt = new Date('2026-06-01T12:06:00.000Z');
    await store.updateState({
      id: flow.id,
      state: 'passed_challenge',
      active: 'password',
      updated_at: updatedAt,
    });
    expect(await store.get('login', flow.id)).toEqual({
      ...flow,
      state: 'passed_challenge',
      active: 'password',
      updated_at: updatedAt,
    });
  });

  it('moves a flow to a state once: a second request racing to complete it is told it did not', async () => {
    const flow = flowFixture();
    await store.create(flow);
    const complete = (active: string) =>
      store.updateState({ id: flow.id, state: 'passed_challenge', active, updated_at: NOW });
    const outcomes = await Promise.all([complete('password'), complete('oidc')]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await store.get('login', flow.id))?.active).toBe(outcomes[0] ? 'password' : 'oidc');
  });

  it('writes a change once when two requests race on the version they both read', async () => {
    const flow = flowFixture({ internal: { parked: 'token' } });
    await store.create(flow);
    const read = await store.get('login', flow.id);
    if (read === undefined) throw new Error('flow not stored');
    const spent = (by: string): SelfServiceFlow => ({
      ...read,
      internal: { spentBy: by },
      updated_at: new Date(read.updated_at.getTime() + 1),
    });
    const outcomes = await Promise.all([
      store.updateIfUnchanged(spent('first'), read.updated_at),
      store.updateIfUnchanged(spent('second'), read.updated_at),
    ]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = outcomes[0] ? 'first' : 'second';
    expect((await store.get('login', flow.id))?.internal).toEqual({ spentBy: winner });
  });

  it('deletes expired flows', async () => {
    const old = flowFixture({ expires_at: new Date('2020-01-01T00:00:00.000Z') });
    await store.create(old);
    expect(await store.deleteExpired(NOW)).toBeGreaterThanOrEqual(1);
    expect(await store.get('login', old.id)).toBeUndefined();
  });
});
