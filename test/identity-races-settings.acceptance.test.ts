/**
 * Identity writes racing each other against a real Portcullis (the concurrency review's
 * findings 1 and 2): a settings submission held in a web hook while another request writes the
 * same identity must never undo that write, and a sign-in held in its web hook while the identity
 * is deactivated must not leave a session behind. On PostgreSQL the other request goes to a second
 * replica of the same deployment, as in the review; on the embedded database both go to one
 * server. The web hook receiver holds a request until the test lets it go, so every interleaving
 * here is deterministic.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { freePort } from './support/ports.js';
import { startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'the first passphrase of this test';
const NEW_PASSWORD = 'a brand new passphrase for this test';
const traits = (email: string, fullname = 'Ada Lovelace') => ({
  email,
  fullname,
  phone_number: 5550100,
  user_type: 'educator',
});

/** A web hook receiver that answers 200 `{}` at once, unless the test holds the path. */
interface Gate {
  url: string;
  /** The next request to `path` waits for `release`; `arrived` resolves when it came. */
  hold(path: string): { arrived: Promise<void>; release(): void };
  stop(): Promise<void>;
}

async function startGate(): Promise<Gate> {
  const holds = new Map<string, { arrive(): void; released: Promise<void> }>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      const path = new URL(req.url ?? '/', 'http://gate').pathname;
      const hold = holds.get(path);
      if (hold) {
        holds.delete(path);
        hold.arrive();
        await hold.released;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    hold(path) {
      let arrive = () => {};
      let release = () => {};
      const arrived = new Promise<void>((resolve) => {
        arrive = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.set(path, { arrive, released });
      return { arrived, release };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What these tests read of the JSON answers (identities, flows, sessions). */
interface Json {
  id: string;
  state: string;
  traits: Record<string, unknown>;
  metadata_admin: unknown;
  ui?: { messages?: { id: number }[] };
  session_token?: string;
}

interface Answer {
  status: number;
  body: Json;
}

async function call(
  url: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token === undefined ? {} : { 'x-session-token': init.token }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Json };
}

const messageIds = (answer: Answer): number[] => (answer.body.ui?.messages ?? []).map((m) => m.id);

describe.each(testDatabases())('identity writes racing a settings submission ($name)', (database) => {
  let gate: Gate;
  /** Where the person's requests go. */
  let a: TestServer;
  /** Where the admin's requests go: another replica on PostgreSQL. */
  let b: TestServer;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    gate = await startGate();
    const db = await database.create();
    drop = db.drop;
    const webHook = (path: string, parse: boolean) => ({
      hook: 'web_hook',
      config: { url: `${gate.url}${path}`, method: 'POST', ...(parse ? { can_interrupt: true } : {}) },
    });
    const options = {
      dsn: db.dsn,
      redis: true,
      redisKeyPrefix: `portcullis-test-${randomBytes(6).toString('hex')}:`,
      extraConfig: {
        selfservice: {
          default_browser_return_url: 'http://app.example.test/',
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
          flows: {
            // Run before a sign-in's session is stored (see finishLogin).
            login: { after: { password: { hooks: [webHook('/login', false)] } } },
            settings: {
              privileged_session_max_age: '15m',
              after: {
                // Both run before the save (parse hooks), with the identity read at the start.
                profile: { hooks: [webHook('/profile', true)] },
                password: { hooks: [webHook('/password', true)] },
              },
            },
          },
        },
      },
    };
    a = await startTestServer(options);
    b = database.name === 'postgres' ? await startTestServer(options) : a;
  });
  afterAll(async () => {
    if (b !== a) await b?.close();
    await a?.close();
    await gate?.stop();
    await drop?.();
  });

  async function newIdentity(email: string): Promise<string> {
    const created = await call(`${b.adminUrl}/admin/identities`, {
      body: {
        schema_id: 'exam',
        traits: traits(email),
        credentials: { password: { config: { password: PASSWORD } } },
      },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function login(server: TestServer, email: string, password: string): Promise<Answer> {
    const flow = await call(`${server.publicUrl}/self-service/login/api`);
    return call(`${server.publicUrl}/self-service/login?flow=${flow.body.id}`, {
      body: { method: 'password', identifier: email, password },
    });
  }

  async function signIn(email: string): Promise<string> {
    const answer = await login(a, email, PASSWORD);
    expect(answer.status).toBe(200);
    return answer.body.session_token ?? '';
  }

  /** Starts a settings submission on A; it stops in the web hook `path` until released. */
  async function heldSettings(token: string, path: string, body: Record<string, unknown>) {
    const flow = await call(`${a.publicUrl}/self-service/settings/api`, { token });
    expect(flow.status).toBe(200);
    const held = gate.hold(path);
    const answer = call(`${a.publicUrl}/self-service/settings?flow=${flow.body.id}`, { token, body });
    await held.arrived;
    return { release: held.release, answer };
  }

  const identityOnB = async (id: string) => (await call(`${b.adminUrl}/admin/identities/${id}`)).body;

  it('a settings save never undoes a deactivation made while it was in flight (review run a)', async () => {
    const email = 'deactivated-meanwhile@example.com';
    const id = await newIdentity(email);
    const token = await signIn(email);
    const settings = await heldSettings(token, '/profile', {
      method: 'profile',
      traits: traits(email, 'Ada King'),
    });
    // The admin locks the account while the submission waits in its web hook.
    const patch = await call(`${b.adminUrl}/admin/identities/${id}`, {
      method: 'PATCH',
      body: [{ op: 'replace', path: '/state', value: 'inactive' }],
    });
    expect(patch.status).toBe(200);
    expect(patch.body.state).toBe('inactive');
    settings.release();
    // The session ended with the deactivation: the submission is answered as one without it.
    const answer = await settings.answer;
    expect(answer.status).toBe(401);
    const stored = await identityOnB(id);
    expect(stored.state).toBe('inactive');
    expect(stored.traits.fullname).toBe('Ada Lovelace');
    // And the password does not sign in (4010011: disabled).
    const again = await login(b, email, PASSWORD);
    expect(again.status).toBe(400);
    expect(messageIds(again)).toEqual([4010011]);
    expect(again.body.session_token).toBeUndefined();
  });

  it('a password change keeps what an admin wrote meanwhile, and the new password is the one that works', async () => {
    const email = 'password-vs-admin@example.com';
    const id = await newIdentity(email);
    const token = await signIn(email);
    const settings = await heldSettings(token, '/password', { method: 'password', password: NEW_PASSWORD });
    const patch = await call(`${b.adminUrl}/admin/identities/${id}`, {
      method: 'PATCH',
      body: [{ op: 'add', path: '/metadata_admin', value: { synced: true } }],
    });
    expect(patch.status).toBe(200);
    settings.release();
    const answer = await settings.answer;
    expect(answer.status).toBe(200);
    expect(answer.body.state).toBe('success');
    expect((await identityOnB(id)).metadata_admin).toEqual({ synced: true });
    expect((await login(b, email, NEW_PASSWORD)).status).toBe(200);
    expect((await login(b, email, PASSWORD)).status).toBe(400);
  });

  it('a sign-in finishing while the identity is deactivated leaves no session behind, even after reactivation (finding 2)', async () => {
    const email = 'login-vs-deactivate@example.com';
    const id = await newIdentity(email);
    const held = gate.hold('/login');
    const signingIn = login(a, email, PASSWORD);
    await held.arrived;
    const off = await call(`${b.adminUrl}/admin/identities/${id}`, {
      method: 'PATCH',
      body: [{ op: 'replace', path: '/state', value: 'inactive' }],
    });
    expect(off.body.state).toBe('inactive');
    held.release();
    const answer = await signingIn;
    // Refused on the flow as a disabled account (4010011), not with an error page or a 500.
    expect(answer.status).toBe(400);
    expect(messageIds(answer)).toEqual([4010011]);
    expect(answer.body.session_token).toBeUndefined();
    await call(`${b.adminUrl}/admin/identities/${id}`, {
      method: 'PATCH',
      body: [{ op: 'replace', path: '/state', value: 'active' }],
    });
    const sessions = await call(`${b.adminUrl}/admin/identities/${id}/sessions?active=true`);
    expect(sessions.body).toEqual([]);
  });

  it('answers the flow with an error, having saved nothing, when other writes keep getting in first', async () => {
    const email = 'always-contended@example.com';
    const id = await newIdentity(email);
    const token = await signIn(email);
    const flow = await call(`${a.publicUrl}/self-service/settings/api`, { token });
    // Every write on A finds the identity changed since it read it, as under a busy sync job:
    // another writer commits a new version just before each of A's real conditional writes.
    const store = a.registry.identityStore;
    const update = store.update;
    store.update = async (identity) => {
      await a.registry.database.db
        .updateTable('identities')
        .set({ version: sql`version + 1` })
        .where('id', '=', id)
        .execute();
      return update.call(store, identity);
    };
    try {
      const answer = await call(`${a.publicUrl}/self-service/settings?flow=${flow.body.id}`, {
        token,
        body: { method: 'profile', traits: traits(email, 'Ada King') },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.state).toBe('show_form');
      expect(messageIds(answer)).toEqual([5000001]);
    } finally {
      store.update = update;
    }
    expect((await identityOnB(id)).traits.fullname).toBe('Ada Lovelace');
  });
});
