/**
 * The password migration hook's failures answer as Kratos's (hook/password_migration_hook.go):
 * a 502 without an id, "calling the password migration hook failed" when no answer came or the
 * client gave up retrying, "password migration hook failed with status code N" for any other
 * unexpected status. And a body template sees what Kratos's sees: the identifier and password,
 * the login flow, the identity signing in and the request. Real Portcullis, a real HTTP server as
 * the old system, and a port nothing listens on.
 */
import { Configuration, IdentityApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { examTraits } from './support/identities.js';
import { freePort } from './support/ports.js';
import { startTestServer, type TestServer } from './support/server.js';

/** What the template posts: the values and a little of each part of its context. */
const TEMPLATE = `function(ctx) {
  identifier: ctx.identifier,
  password: ctx.password,
  flow_id: ctx.flow.id,
  flow_type: ctx.flow.type,
  payload: ctx.flow.transient_payload,
  identity_id: ctx.identity.id,
  email: ctx.identity.traits.email,
  method: ctx.request_method,
  url: ctx.request_url,
  trace: ctx.request_headers["X-Trace"],
}`;
const base64 = (text: string) => `base64://${Buffer.from(text).toString('base64')}`;

interface ErrorAnswer {
  error: { id?: string; code: number; status: string; message: string; reason?: string };
}

/** Kratos's answer when no answer came from the hook, or its client gave up retrying. */
const UNREACHABLE: ErrorAnswer = {
  error: {
    code: 502,
    status: 'Bad Gateway',
    message: 'calling the password migration hook failed',
    reason: 'A third-party upstream service could not be reached. Please try again later.',
  },
};

describe('the password migration hook as Kratos calls it', () => {
  let receiver: HttpReceiver;
  let servers: TestServer[] = [];
  let count = 0;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
    await receiver?.stop();
  });

  /** A Portcullis whose migrate hook is `config`, and a legacy identity on it to sign in as. */
  async function legacyLoginOn(config: Record<string, unknown>) {
    const server = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        selfservice: {
          default_browser_return_url: 'http://app.example.test/',
          methods: {
            password: {
              enabled: true,
              config: { haveibeenpwned_enabled: false, migrate_hook: { enabled: true, config } },
            },
          },
        },
      },
    });
    servers.push(server);
    count += 1;
    const email = `legacy-${count}@example.test`;
    const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
    const { data: identity } = await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: examTraits(email),
        credentials: { password: { config: { use_password_migration_hook: true } } },
      },
    });
    /** A native login with `fields` besides the identifier and the old password. */
    const login = async (fields: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
      const init = await fetch(`${server.publicUrl}/self-service/login/api`);
      const flow = (await init.json()) as { id: string };
      const answer = await fetch(`${server.publicUrl}/self-service/login?flow=${flow.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ method: 'password', identifier: email, password: 'old password', ...fields }),
      });
      return { flow, answer };
    };
    return { server, email, identity, login };
  }

  it('answers 502 "calling the password migration hook failed" when the hook cannot be reached', async () => {
    const { login } = await legacyLoginOn({ url: `http://127.0.0.1:${await freePort()}/migrate` });
    const { answer } = await login();
    expect(answer.status).toBe(502);
    expect(await answer.json()).toEqual(UNREACHABLE);
  });

  it('answers the same when the hook answered 429 on every attempt (the client gave up)', async () => {
    // Retry-After: 0, so the client's waits take no time.
    receiver.script('/busy', [{ status: 429, headers: { 'retry-after': '0' }, body: {} }]);
    const { login } = await legacyLoginOn({ url: `${receiver.url}/busy` });
    const { answer } = await login();
    expect(answer.status).toBe(502);
    expect(await answer.json()).toEqual(UNREACHABLE);
    expect(receiver.to('/busy')).toHaveLength(3);
  });

  it('answers 502 naming the status when the hook answered neither 200 nor 403', async () => {
    receiver.script('/teapot', [{ status: 418, body: {} }]);
    const { login } = await legacyLoginOn({ url: `${receiver.url}/teapot` });
    const { answer } = await login();
    expect(answer.status).toBe(502);
    expect(await answer.json()).toEqual({
      error: {
        code: 502,
        status: 'Bad Gateway',
        message: 'password migration hook failed with status code 418',
        reason: 'A third-party upstream service responded improperly. Please try again later.',
      },
    } satisfies ErrorAnswer);
    expect(receiver.to('/teapot')).toHaveLength(1);
  });

  it('counts an improper answer as a failed attempt, so an old system answering 401 is no unthrottled oracle', async () => {
    receiver.script('/unauthorized', [{ status: 401, body: {} }]);
    const { login } = await legacyLoginOn({ url: `${receiver.url}/unauthorized` });
    // The brute-force defaults let 5 attempts on one account through; the sixth waits.
    for (let attempt = 1; attempt <= 5; attempt++) expect((await login()).answer.status).toBe(502);
    const { answer } = await login();
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(receiver.to('/unauthorized')).toHaveLength(5);
  });

  it('gives a body template the flow, the identity and the request besides the two values', async () => {
    receiver.script('/templated', [{ status: 200, body: { status: 'password_match' } }]);
    const { server, email, identity, login } = await legacyLoginOn({
      url: `${receiver.url}/templated`,
      body: base64(TEMPLATE),
    });
    const { flow, answer } = await login({ transient_payload: { campaign: 'spring' } }, { 'x-trace': 'abc' });
    expect(answer.status).toBe(200);
    const [call] = receiver.to('/templated');
    expect(JSON.parse(call?.body ?? '{}')).toEqual({
      identifier: email,
      password: 'old password',
      flow_id: flow.id,
      flow_type: 'api',
      payload: { campaign: 'spring' },
      identity_id: identity.id,
      email,
      method: 'POST',
      url: `${server.publicUrl}/self-service/login?flow=${flow.id}`,
      // Kratos hands this hook every request header, not only the allow-listed ones.
      trace: ['abc'],
    });
  });
});
