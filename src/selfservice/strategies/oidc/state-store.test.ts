import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../persistence/database.js';
import { testEngines } from '../../../persistence/testing/engines.js';
import { createOidcStateStore, type OidcContinuity, type OidcStateStore } from './state-store.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');

function entry(overrides: Partial<OidcContinuity> = {}): OidcContinuity {
  return {
    stateHash: randomUUID().replaceAll('-', ''),
    flowId: randomUUID(),
    flowKind: 'login',
    provider: 'google',
    browserHash: 'b'.repeat(64),
    pkceVerifier: 'verifier',
    nonce: 'nonce',
    expiresAt: new Date(NOW.getTime() + 60_000),
    createdAt: NOW,
    ...overrides,
  };
}

describe.each(testEngines())('oidc state store contract ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let store: OidcStateStore;

  beforeAll(async () => {
    database = await engine.open();
    store = createOidcStateStore(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('gives an entry back once, with every field', async () => {
    const saved = entry({ pkceVerifier: null });
    await store.save(saved, NOW);
    expect(await store.take(saved.stateHash)).toEqual(saved);
    expect(await store.take(saved.stateHash)).toBeUndefined();
  });

  it('hands a state to exactly one of many parallel takers', async () => {
    const saved = entry();
    await store.save(saved, NOW);
    const taken = await Promise.all(Array.from({ length: 8 }, () => store.take(saved.stateHash)));
    expect(taken.filter((t) => t !== undefined)).toHaveLength(1);
  });

  it('forgets expired entries when a new one is saved', async () => {
    const old = entry({ expiresAt: new Date(NOW.getTime() - 1) });
    await store.save(old, new Date(NOW.getTime() - 60_000));
    await store.save(entry(), NOW);
    expect(await store.take(old.stateHash)).toBeUndefined();
  });

  it('finds nothing for an unknown state', async () => {
    expect(await store.take('0'.repeat(64))).toBeUndefined();
  });
});
