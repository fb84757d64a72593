import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../session/model.js';
import type { Database } from './database.js';
import { createIdentityStore } from './identity-store.js';
import { createSessionStore, type SessionStore } from './session-store.js';
import { testEngines } from './testing/engines.js';
import { identityFixture } from './testing/identity-fixtures.js';

const at = (iso: string) => new Date(iso);
const NOW = at('2026-06-01T12:00:00.000Z');

function sessionFixture(identityId: string, overrides: Partial<Session> = {}): Session {
  return {
    id: randomUUID(),
    identity_id: identityId,
    token_hash: randomUUID(),
    logout_token_hash: randomUUID(),
    active: true,
    aal: 'aal1',
    authentication_methods: [{ method: 'password', aal: 'aal1', completed_at: NOW }],
    devices: [{ id: randomUUID(), ip_address: '127.0.0.1', user_agent: 'test', location: null }],
    issued_at: NOW,
    authenticated_at: NOW,
    expires_at: at('2026-06-02T12:00:00.000Z'),
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

describe.each(testEngines())('session store contract ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let store: SessionStore;
  let identityId: string;

  beforeAll(async () => {
    database = await engine.open();
    store = createSessionStore(database.db);
    const identity = identityFixture(`owner-${randomUUID()}@example.com`);
    await createIdentityStore(database.db).create(identity);
    identityId = identity.id;
  });
  afterAll(async () => {
    await database.drop();
  });

  it('stores a session and finds it by id and token hash', async () => {
    const session = sessionFixture(identityId);
    await store.create(session);
    expect(await store.get(session.id)).toEqual(session);
    expect(await store.findByTokenHash(['unknown', session.token_hash])).toEqual(session);
    expect(await store.findByTokenHash(['unknown'])).toBeUndefined();
    expect(await store.get('not-a-uuid')).toBeUndefined();
  });

  it('revokes one session, then all of an identity but one', async () => {
    const identity = identityFixture(`revoke-${randomUUID()}@example.com`);
    await createIdentityStore(database.db).create(identity);
    const [a, b, c] = [sessionFixture(identity.id), sessionFixture(identity.id), sessionFixture(identity.id)];
    for (const s of [a, b, c]) await store.create(s);

    expect((await store.revoke(a.id, NOW))?.id).toBe(a.id);
    expect((await store.get(a.id))?.active).toBe(false);

    const revoked = await store.revokeForIdentity(identity.id, NOW, c.id);
    expect(revoked.map((s) => s.id)).toEqual([b.id]);
    expect((await store.get(b.id))?.active).toBe(false);
    expect((await store.get(c.id))?.active).toBe(true);
  });

  it('lists sessions by identity and activity, in keyset pages', async () => {
    const identity = identityFixture(`list-${randomUUID()}@example.com`);
    await createIdentityStore(database.db).create(identity);
    const live = [sessionFixture(identity.id), sessionFixture(identity.id), sessionFixture(identity.id)];
    const expired = sessionFixture(identity.id, { expires_at: at('2026-06-01T11:00:00.000Z') });
    const revoked = sessionFixture(identity.id, { active: false });
    for (const s of [...live, expired, revoked]) await store.create(s);

    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await store.list({
        identityId: identity.id,
        active: true,
        pageSize: 2,
        pageToken,
        now: NOW,
      });
      seen.push(...page.sessions.map((s) => s.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen.sort()).toEqual(live.map((s) => s.id).sort());

    const inactive = await store.list({ identityId: identity.id, active: false, pageSize: 10, now: NOW });
    expect(inactive.sessions.map((s) => s.id).sort()).toEqual([expired.id, revoked.id].sort());
    const all = await store.list({ identityId: identity.id, pageSize: 10, now: NOW });
    expect(all.sessions).toHaveLength(5);

    // count matches what the same filters list, whatever the page.
    expect(await store.count({ identityId: identity.id, active: true, now: NOW })).toBe(3);
    expect(await store.count({ identityId: identity.id, active: false, now: NOW })).toBe(2);
    expect(await store.count({ identityId: identity.id, now: NOW })).toBe(5);
    expect(
      await store.count({
        identityId: identity.id.toUpperCase(),
        active: true,
        excludeId: live[0]?.id,
        now: NOW,
      }),
    ).toBe(2);
    expect(await store.count({ identityId: randomUUID(), now: NOW })).toBe(0);
  });

  it('lists newest first, as Kratos (created_at descending), ties by id ascending, across keyset pages', async () => {
    const identity = identityFixture(`newest-${randomUUID()}@example.com`);
    await createIdentityStore(database.db).create(identity);
    const minute = (m: number) => at(`2026-06-01T10:0${m}:00.000Z`);
    // Created in this order: 1, then 3 and 4 in the same instant, then 2 last; ids random.
    const sessions = [
      sessionFixture(identity.id, { created_at: minute(1) }),
      sessionFixture(identity.id, { created_at: minute(3) }),
      sessionFixture(identity.id, { created_at: minute(3) }),
      sessionFixture(identity.id, { created_at: minute(5) }),
    ];
    for (const s of sessions) await store.create(s);
    const [oldest, tieA, tieB, newest] = sessions as [Session, Session, Session, Session];
    const ties = [tieA.id, tieB.id].sort();
    const expected = [newest.id, ...ties, oldest.id];
    const all = await store.list({ identityId: identity.id, pageSize: 10, now: NOW });
    expect(all.sessions.map((s) => s.id)).toEqual(expected);
    const walked: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await store.list({ identityId: identity.id, pageSize: 1, pageToken, now: NOW });
      walked.push(...page.sessions.map((s) => s.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(walked).toEqual(expected);
  });

  it('extends only active sessions', async () => {
    const session = sessionFixture(identityId);
    await store.create(session);
    const later = at('2026-06-05T12:00:00.000Z');
    expect((await store.extend(session.id, later, NOW))?.expires_at).toEqual(later);
    await store.revoke(session.id, NOW);
    expect(await store.extend(session.id, at('2026-06-09T12:00:00.000Z'), NOW)).toBeUndefined();
  });

  it('re-authenticates only active sessions, keeping id and token, and pages numbered by offset', async () => {
    const session = sessionFixture(identityId);
    await store.create(session);
    const later = at('2026-06-01T13:00:00.000Z');
    const methods = [
      ...session.authentication_methods,
      { method: 'password' as const, aal: 'aal1' as const, completed_at: later },
    ];
    const devices = [
      ...session.devices,
      { id: randomUUID(), ip_address: '203.0.113.9', user_agent: 'refresh/1.0', location: null },
    ];
    const updated = await store.reauthenticate(session.id, {
      authenticationMethods: methods,
      devices,
      aal: 'aal1',
      authenticatedAt: later,
      expiresAt: at('2026-06-02T13:00:00.000Z'),
    });
    expect(updated).toMatchObject({
      id: session.id,
      token_hash: session.token_hash,
      authenticated_at: later,
      issued_at: later,
      expires_at: at('2026-06-02T13:00:00.000Z'),
      authentication_methods: methods,
      devices,
    });
    await store.revoke(session.id, NOW);
    const change = {
      authenticationMethods: methods,
      devices,
      aal: 'aal1' as const,
      authenticatedAt: later,
      expiresAt: later,
    };
    expect(await store.reauthenticate(session.id, change)).toBeUndefined();

    const pages = [];
    for (let offset = 0; offset < 3; offset++) {
      pages.push(
        ...(await store.list({ identityId, pageSize: 1, offset, now: NOW })).sessions.map((s) => s.id),
      );
    }
    const all = (await store.list({ identityId, pageSize: 3, now: NOW })).sessions.map((s) => s.id);
    expect(pages).toEqual(all);
  });

  it('pages session ids for bulk work: by identity, active only, after an id', async () => {
    const identities = createIdentityStore(database.db);
    const [one, two] = [
      identityFixture(`bulk-a-${randomUUID()}@example.com`),
      identityFixture(`bulk-b-${randomUUID()}@example.com`),
    ];
    await identities.create(one);
    await identities.create(two);
    const live = [sessionFixture(one.id), sessionFixture(one.id), sessionFixture(two.id)];
    const revoked = sessionFixture(one.id, { active: false });
    // Expired but never revoked: still "active" as far as the flag goes.
    const expired = sessionFixture(one.id, { expires_at: at('2026-06-01T11:00:00.000Z') });
    for (const s of [...live, revoked, expired]) await store.create(s);
    const ofOne = [live[0], live[1], revoked, expired].map((s) => s?.id).sort();

    expect(await store.pageIds({ identityIds: [one.id], activeOnly: false, limit: 10 })).toEqual(ofOne);
    expect(await store.pageIds({ identityIds: [one.id], activeOnly: true, limit: 10 })).toEqual(
      ofOne.filter((id) => id !== revoked.id),
    );
    const firstTwo = await store.pageIds({ identityIds: [one.id, two.id], activeOnly: false, limit: 2 });
    expect(firstTwo).toHaveLength(2);
    const rest = await store.pageIds({
      identityIds: [one.id, two.id],
      activeOnly: false,
      afterId: firstTwo[1],
      limit: 10,
    });
    expect([...firstTwo, ...rest]).toEqual([...ofOne, live[2]?.id].sort());
    expect(await store.pageIds({ identityIds: ['junk'], activeOnly: false, limit: 10 })).toEqual([]);
    const all = await store.pageIds({ activeOnly: false, limit: 1000 });
    expect(all).toEqual([...all].sort());
    expect(all).toEqual(expect.arrayContaining([...ofOne, live[2]?.id]));
  });

  it('disables only what is still active and deletes, returning the token hashes it touched', async () => {
    const identity = identityFixture(`bulk-write-${randomUUID()}@example.com`);
    await createIdentityStore(database.db).create(identity);
    const [a, b] = [sessionFixture(identity.id), sessionFixture(identity.id)];
    const revoked = sessionFixture(identity.id, { active: false });
    for (const s of [a, b, revoked]) await store.create(s);
    const later = at('2026-06-01T13:00:00.000Z');

    const disabled = await store.disableMany([a.id, revoked.id, 'junk'], later);
    expect(disabled).toEqual([a.token_hash]);
    expect(await store.get(a.id)).toMatchObject({ active: false, updated_at: later });
    expect((await store.get(revoked.id))?.updated_at).toEqual(NOW);
    expect(await store.disableMany([a.id], later)).toEqual([]);
    expect(await store.disableMany([], later)).toEqual([]);

    const deleted = await store.deleteMany([a.id, b.id, randomUUID()]);
    expect(deleted.sort()).toEqual([a.token_hash, b.token_hash].sort());
    expect(await store.get(a.id)).toBeUndefined();
    expect(await store.get(b.id)).toBeUndefined();
    expect(await store.get(revoked.id)).toBeDefined();
    expect(await store.deleteMany([a.id, 'junk'])).toEqual([]);
  });

  it('deletes sessions with their identity', async () => {
    const identity = identityFixture(`cascade-${randomUUID()}@example.com`);
    const identities = createIdentityStore(database.db);
    await identities.create(identity);
    const session = sessionFixture(identity.id);
    await store.create(session);
    await identities.delete(identity.id);
    expect(await store.get(session.id)).toBeUndefined();
  });
});
