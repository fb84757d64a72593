import { randomBytes } from 'node:crypto';
import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BULK_BATCH_SIZE } from '../src/session/bulk.js';
import { testDatabases } from './support/databases.js';
import { failure as clientFailure } from './support/failure.js';
import { signedIn } from './support/identities.js';
import { startTestServer, type TestServer } from './support/server.js';
import { statusOf } from './support/status-of.js';
import { useTestServer } from './support/suite-server.js';

/** Admin API failures carry Kratos's error body. */
const failure = (call: Promise<unknown>) => clientFailure<{ error: Record<string, unknown> }>(call);

const whoamiStatus = (api: FrontendApi, token: string) => statusOf(api.toSession({ xSessionToken: token }));

/**
 * `POST /admin/sessions` (manageSessions) through the official client, which exposes it as
 * `IdentityApi.manageSessions`; malformed bodies, which the client would not send, go by fetch.
 */
describe.each(testDatabases())('bulk session management over HTTP ($name)', (database) => {
  const t = useTestServer(database, { redis: true });

  it('disables the sessions of identities: whoami is 401 at once, and a repeat counts nothing', async () => {
    const ada = await signedIn(t, 'bulk-ada@example.com', 2);
    const bob = await signedIn(t, 'bulk-bob@example.com', 1);
    const spared = await signedIn(t, 'bulk-spared@example.com', 1);
    const all = [...ada.sessions, ...bob.sessions, ...spared.sessions];
    // Twice each: the second answer comes from the cache.
    for (const { token } of all) {
      expect(await whoamiStatus(t.frontend, token)).toBe(200);
      expect(await whoamiStatus(t.frontend, token)).toBe(200);
    }

    const { status, data } = await t.admin.manageSessions({
      manageSessionsBody: { action: 'disable', identities: [ada.identity.id, bob.identity.id] },
    });
    expect(status).toBe(200);
    expect(data).toEqual({ processed: 3, more: false });
    for (const { token } of [...ada.sessions, ...bob.sessions]) {
      expect(await whoamiStatus(t.frontend, token)).toBe(401);
    }
    expect(await whoamiStatus(t.frontend, spared.sessions[0]?.token ?? '')).toBe(200);
    const { data: kept } = await t.admin.getSession({ id: ada.sessions[0]?.session.id ?? '' });
    expect(kept.active).toBe(false);

    const { data: again } = await t.admin.manageSessions({
      manageSessionsBody: { action: 'disable', identities: [ada.identity.id] },
    });
    expect(again).toEqual({ processed: 0, more: false });
  });

  it('deletes explicit sessions, also disabled ones, and serves the route without /admin', async () => {
    const cy = await signedIn(t, 'bulk-cy@example.com', 3);
    const [first, second, third] = cy.sessions;
    if (!first || !second || !third) throw new Error('no sessions');
    expect(await whoamiStatus(t.frontend, first.token)).toBe(200);
    // A frontend client pointed at the admin URL is sent on to the public listener (307), as Kratos.
    const misdirected = new FrontendApi(new Configuration({ basePath: t.server.adminUrl }));
    expect(await whoamiStatus(misdirected, first.token)).toBe(200);
    await t.admin.disableSession({ id: second.session.id });

    const { data } = await t.admin.manageSessions({
      manageSessionsBody: { action: 'delete', sessions: [first.session.id, second.session.id] },
    });
    expect(data).toEqual({ processed: 2, more: false });
    expect(await whoamiStatus(t.frontend, first.token)).toBe(401);
    expect((await failure(t.admin.getSession({ id: first.session.id }))).status).toBe(404);
    expect((await failure(t.admin.getSession({ id: second.session.id }))).status).toBe(404);

    const root = await fetch(`${t.server.adminUrl}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'disable', sessions: [third.session.id] }),
    });
    expect(root.status).toBe(200);
    expect(await root.json()).toEqual({ processed: 1, more: false });
    expect(await whoamiStatus(t.frontend, third.token)).toBe(401);
  });

  it('names sessions and identities by UUIDs in any case, as Kratos parses them', async () => {
    const dee = await signedIn(t, 'bulk-upper-dee@example.com', 3);
    const [first, second, third] = dee.sessions;
    if (!first || !second || !third) throw new Error('no sessions');
    const upper = (id: string) => id.toUpperCase();
    const identityId = upper(dee.identity.id);

    const { data: got } = await t.admin.getIdentity({ id: identityId });
    expect(got.id).toBe(dee.identity.id);
    const { data: session } = await t.admin.getSession({ id: upper(first.session.id) });
    expect(session.id).toBe(first.session.id);
    const { data: listed } = await t.admin.listIdentitySessions({ id: identityId });
    expect(listed.map((s) => s.id).sort()).toEqual(dee.sessions.map((s) => s.session.id).sort());
    const { data: extended } = await t.admin.extendSession({ id: upper(first.session.id) });
    expect(extended.id).toBe(first.session.id);

    await t.admin.disableSession({ id: upper(first.session.id) });
    expect(await whoamiStatus(t.frontend, first.token)).toBe(401);
    const { data: processed } = await t.admin.manageSessions({
      manageSessionsBody: { action: 'disable', identities: [identityId] },
    });
    expect(processed).toEqual({ processed: 2, more: false });
    expect(await whoamiStatus(t.frontend, second.token)).toBe(401);
    await t.admin.deleteIdentitySessions({ id: identityId });
    expect((await failure(t.admin.getSession({ id: third.session.id }))).status).toBe(404);
    await t.admin.deleteIdentity({ id: identityId });
    expect((await failure(t.admin.getIdentity({ id: dee.identity.id }))).status).toBe(404);
  });

  it("reads active as Go's ParseBool on both lists, empty meaning every session, as Kratos", async () => {
    const eve = await signedIn(t, 'active-parse-eve@example.com', 2);
    const [kept, ended] = eve.sessions;
    if (!kept || !ended) throw new Error('no sessions');
    await t.admin.disableSession({ id: ended.session.id });
    const ids = async (query: string) => {
      const response = await fetch(
        `${t.server.adminUrl}/admin/identities/${eve.identity.id}/sessions?${query}`,
      );
      expect(response.status, query).toBe(200);
      return ((await response.json()) as { id: string }[]).map((s) => s.id).sort();
    };
    for (const yes of ['1', 't', 'TRUE', 'True'])
      expect(await ids(`active=${yes}`)).toEqual([kept.session.id]);
    for (const no of ['0', 'f', 'FALSE']) expect(await ids(`active=${no}`)).toEqual([ended.session.id]);
    expect(await ids('active=')).toEqual([kept.session.id, ended.session.id].sort());
    for (const path of [`/admin/identities/${eve.identity.id}/sessions`, '/admin/sessions']) {
      const refused = await fetch(`${t.server.adminUrl}${path}?active=yes`);
      expect(refused.status, path).toBe(400);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
        'could not parse parameter active',
      );
    }
    const all = await fetch(`${t.server.adminUrl}/admin/sessions?active=T`);
    expect(all.status).toBe(200);
  });

  it('answers bodies the spec refuses with 400 in Kratos shape', async () => {
    const id = '6a0b0a4c-2b3e-4c5e-9f1a-0c6a2f3b4d5e';
    const bodies: unknown[] = [
      {},
      { identities: [id] },
      { action: 'revoke', identities: [id] },
      { action: 'disable' },
      { action: 'disable', identities: [], sessions: [] },
      { action: 'disable', identities: [id], sessions: [id] },
      { action: 'delete', sessions: ['*'] },
      { action: 'delete', identities: ['*', id] },
      { action: 'delete', identities: ['not-a-uuid'] },
      { action: 'delete', identities: [42] },
      { action: 'delete', sessions: Array.from({ length: 501 }, () => id) },
    ];
    for (const body of bodies) {
      const response = await fetch(`${t.server.adminUrl}/admin/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(await response.json()).toEqual({
        error: {
          code: 400,
          status: 'Bad Request',
          message: 'The request was malformed or contained invalid parameters',
          reason: expect.any(String),
        },
      });
    }
    const viaClient = await failure(
      t.admin.manageSessions({ manageSessionsBody: { action: 'disable', sessions: ['*'] } }),
    );
    expect(viaClient.status).toBe(400);
    expect(viaClient.body.error).toMatchObject({ code: 400, status: 'Bad Request' });

    const notJson = await fetch(`${t.server.adminUrl}/admin/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"action":',
    });
    expect(notJson.status).toBe(400);
    const wrongType = await fetch(`${t.server.adminUrl}/admin/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'action=disable',
    });
    expect(wrongType.status).toBe(415);
  });

  it('drains every session with identities ["*"], one batch per call while more is true', async () => {
    // More sessions than one batch holds, so the first call must say `more`.
    const many = await signedIn(t, 'bulk-many@example.com', DEFAULT_BULK_BATCH_SIZE + 5);
    const dee = await signedIn(t, 'bulk-dee@example.com', 1);
    const sample = [many.sessions[0], many.sessions.at(-1), dee.sessions[0]].map((s) => s?.token ?? '');
    for (const token of sample) expect(await whoamiStatus(t.frontend, token)).toBe(200);

    const calls = [];
    for (let more = true; more && calls.length < 10; ) {
      const { data } = await t.admin.manageSessions({
        manageSessionsBody: { action: 'disable', identities: ['*'] },
      });
      calls.push(data);
      more = data.more === true;
    }
    expect(calls[0]).toEqual({ processed: DEFAULT_BULK_BATCH_SIZE, more: true });
    expect(calls.at(-1)?.more).toBe(false);
    const processed = calls.reduce((sum, call) => sum + (call.processed ?? 0), 0);
    expect(processed).toBeGreaterThanOrEqual(DEFAULT_BULK_BATCH_SIZE + 6);
    for (const token of sample) expect(await whoamiStatus(t.frontend, token)).toBe(401);
    const { data: active } = await t.admin.listSessions({ active: true });
    expect(active).toEqual([]);

    const { data: deleted } = await t.admin.manageSessions({
      manageSessionsBody: { action: 'delete', identities: ['*'] },
    });
    expect(deleted).toEqual({ processed: DEFAULT_BULK_BATCH_SIZE, more: true });
  });
});

const postgres = testDatabases().find((d) => d.name === 'postgres');

/**
 * Two replicas of one deployment (one PostgreSQL database, one Redis): a bulk disable on one
 * ends the sessions the other has cached.
 */
describe.skipIf(!postgres || !process.env.REDIS_URL)('bulk session management across replicas', () => {
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    if (!postgres) return;
    const db = await postgres.create();
    drop = db.drop;
    const redisKeyPrefix = `portcullis-test-${randomBytes(6).toString('hex')}:`;
    a = await startTestServer({ dsn: db.dsn, redis: true, redisKeyPrefix });
    b = await startTestServer({ dsn: db.dsn, redis: true, redisKeyPrefix });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it('a manageSessions call on replica B ends the sessions cached on replica A', async () => {
    const frontendA = new FrontendApi(new Configuration({ basePath: a.publicUrl }));
    const adminB = new IdentityApi(new Configuration({ basePath: b.adminUrl }));
    const { identity, sessions } = await signedIn(
      { server: a, admin: adminB },
      'bulk-replica@example.com',
      2,
    );
    for (const { token } of sessions) {
      expect(await whoamiStatus(frontendA, token)).toBe(200);
      expect(await whoamiStatus(frontendA, token)).toBe(200);
    }
    const { data } = await adminB.manageSessions({
      manageSessionsBody: { action: 'disable', identities: [identity.id] },
    });
    expect(data).toEqual({ processed: 2, more: false });
    // The invalidation reaches A through Redis pub/sub, a message that may still be in flight when
    // B has answered: poll briefly (bounded) for it.
    for (const { token } of sessions) {
      let status = await whoamiStatus(frontendA, token);
      for (let i = 0; i < 40 && status !== 401; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = await whoamiStatus(frontendA, token);
      }
      expect(status).toBe(401);
    }
  });
});
