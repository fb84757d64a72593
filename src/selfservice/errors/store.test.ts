import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../persistence/database.js';
import { testEngines } from '../../persistence/testing/engines.js';
import { createSelfServiceErrorStore, type SelfServiceErrorStore, type StoredFlowError } from './store.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');

function entry(overrides: Partial<StoredFlowError> = {}): StoredFlowError {
  return {
    id: randomUUID(),
    error: {
      id: 'security_csrf_violation',
      code: 403,
      status: 'Forbidden',
      reason: 'Please retry the flow and optionally clear your cookies.',
      message: 'The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF).',
      details: { docs: 'https://www.ory.sh/docs/kratos/debug/csrf', hint: 'Grüße — «quoted» ✓' },
    },
    csrfToken: 'b'.repeat(43),
    wasSeen: false,
    seenAt: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

describe.each(testEngines())('self-service error store contract ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let store: SelfServiceErrorStore;

  beforeAll(async () => {
    database = await engine.open();
    store = createSelfServiceErrorStore(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('gives an error back with every field', async () => {
    const saved = entry();
    await store.create(saved);
    expect(await store.get(saved.id)).toEqual(saved);
  });

  it('finds an id written in upper case', async () => {
    const saved = entry();
    await store.create(saved);
    expect((await store.get(saved.id.toUpperCase()))?.id).toBe(saved.id);
  });

  it('finds nothing for an unknown id or one that is not a UUID', async () => {
    expect(await store.get(randomUUID())).toBeUndefined();
    for (const id of ['', 'stub:500', 'not-a-uuid', "' or 1=1 --"])
      expect(await store.get(id)).toBeUndefined();
  });

  it('records a read without changing the error', async () => {
    const saved = entry();
    await store.create(saved);
    const at = new Date(NOW.getTime() + 5_000);
    await store.markSeen(saved.id, at);
    expect(await store.get(saved.id)).toEqual({ ...saved, wasSeen: true, seenAt: at });
    const later = new Date(NOW.getTime() + 60_000);
    await store.markSeen(saved.id, later);
    expect((await store.get(saved.id))?.seenAt).toEqual(later);
  });

  it('keeps errors apart', async () => {
    const [a, b] = [entry({ csrfToken: 'a'.repeat(43) }), entry({ error: { code: 500, message: 'm' } })];
    await store.create(a);
    await store.create(b);
    expect(await store.get(a.id)).toEqual(a);
    expect(await store.get(b.id)).toEqual(b);
  });
});
