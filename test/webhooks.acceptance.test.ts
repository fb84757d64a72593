import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery staple';
const traits = (email: string, userType = 'educator') => ({
  email,
  fullname: 'Mary Jackson',
  phone_number: 5550100,
  user_type: userType,
});
const base64 = (text: string) => `base64://${Buffer.from(text).toString('base64')}`;

/** The seed scenario's template, exactly as our first users wrote it for Kratos. */
const SEED_TEMPLATE = `function(ctx)
if ctx.identity.traits.user_type == "student" then
  error "cancel"
else
  { "traits": { "email": ctx.identity.traits.email } }`;

/** A server whose self-service config is `selfservice`, with quick web hook retries. */
function serverWith(dsn: string, selfservice: Record<string, unknown>): Promise<TestServer> {
  return startTestServer({
    dsn,
    webhookWorker: { pollIntervalMs: 50, baseDelayMs: 100 },
    extraConfig: {
      selfservice: {
        default_browser_return_url: 'http://app.example.test/welcome',
        methods: { password: { config: { haveibeenpwned_enabled: false } } },
        ...selfservice,
      },
    },
  });
}

async function register(server: TestServer, email: string, userType = 'educator') {
  const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  const { data: flow } = await frontend.createNativeRegistrationFlow();
  return frontend.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: 'password', traits: traits(email, userType), password: PASSWORD },
  });
}

describe('web hooks after registration, as configured for Kratos', () => {
  let receiver: HttpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    server = await serverWith('memory', {
      flows: {
        registration: {
          after: {
            hooks: [
              {
                hook: 'web_hook',
                config: {
                  url: `${receiver.url}/signup`,
                  method: 'POST',
                  body: base64(SEED_TEMPLATE),
                  can_interrupt: false,
                  auth: { type: 'api_key', config: { name: 'X-Api-Key', value: 'secret-key', in: 'header' } },
                },
              },
              {
                hook: 'web_hook',
                config: {
                  url: `${receiver.url}/audit`,
                  method: 'PUT',
                  body: base64(
                    'function(ctx) { id: ctx.identity.id, method: ctx.request_method, ua: ctx.request_headers["User-Agent"], cookie: std.objectHas(ctx.request_headers, "Cookie") }',
                  ),
                  auth: { type: 'basic_auth', config: { user: 'hooks', password: 'p@ss' } },
                },
              },
            ],
          },
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  it('posts educators with the exact body and skips students; registration succeeds either way', async () => {
    const { data: educator } = await register(server, 'teacher@example.test');
    expect(educator.identity.traits.email).toBe('teacher@example.test');
    const [call] = await receiver.waitFor('/signup', 1);
    expect(call?.method).toBe('POST');
    expect(JSON.parse(call?.body ?? '')).toEqual({ traits: { email: 'teacher@example.test' } });
    expect(call?.headers['content-type']).toBe('application/json');
    expect(call?.headers['x-api-key']).toBe('secret-key');

    const { data: student } = await register(server, 'pupil@example.test', 'student');
    expect(student.identity.traits.email).toBe('pupil@example.test');
    await receiver.waitFor('/audit', 2);
    expect(receiver.to('/signup')).toHaveLength(1);
  });

  it('sends basic auth, and only allow-listed request headers in ctx', async () => {
    const audits = await receiver.waitFor('/audit', 1);
    const audit = audits[0];
    expect(audit?.method).toBe('PUT');
    expect(audit?.headers.authorization).toBe(`Basic ${Buffer.from('hooks:p@ss').toString('base64')}`);
    const body = JSON.parse(audit?.body ?? '{}') as {
      id: string;
      method: string;
      ua: string[];
      cookie: boolean;
    };
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.method).toBe('POST');
    expect(body.cookie).toBe(false);
  });
});

describe('parse hooks change or stop a registration before anything is stored', () => {
  let receiver: HttpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    receiver.script('/check', (request) => {
      const { email } = JSON.parse(request.body) as { email: string };
      if (email.endsWith('@blocked.test')) {
        return {
          status: 422,
          body: {
            messages: [
              {
                instance_ptr: '#/traits/email',
                messages: [
                  {
                    id: 1234,
                    text: 'This email domain is not allowed.',
                    type: 'error',
                    context: { domain: 'blocked.test' },
                  },
                ],
              },
            ],
          },
        };
      }
      return {
        status: 200,
        body: { identity: { metadata_public: { plan: 'gold', checked: true }, external_id: `crm:${email}` } },
      };
    });
    server = await serverWith('memory', {
      flows: {
        registration: {
          after: {
            password: {
              hooks: [
                {
                  hook: 'web_hook',
                  config: {
                    url: `${receiver.url}/check`,
                    method: 'POST',
                    body: base64('function(ctx) { email: ctx.identity.traits.email }'),
                    response: { parse: true },
                  },
                },
              ],
            },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  it('refuses an email domain with a field message and stores nothing', async () => {
    const refused = await failure<{
      ui: { nodes: { attributes: { name?: string }; messages: { id: number; text: string }[] }[] };
    }>(register(server, 'someone@blocked.test'));
    expect(refused.status).toBe(400);
    const email = refused.body.ui.nodes.find((n) => n.attributes.name === 'traits.email');
    expect(email?.messages).toEqual([
      expect.objectContaining({ id: 1234, text: 'This email domain is not allowed.', type: 'error' }),
    ]);
    const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
    const { data: all } = await admin.listIdentities({ credentialsIdentifier: 'someone@blocked.test' });
    expect(all).toHaveLength(0);
  });

  it('sets metadata_public and external_id from the answer', async () => {
    const { data } = await register(server, 'allowed@example.test');
    expect(data.identity.metadata_public).toEqual({ plan: 'gold', checked: true });
    expect(data.identity.external_id).toBe('crm:allowed@example.test');
    const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
    const { data: stored } = await admin.getIdentity({ id: data.identity.id });
    expect(stored.metadata_public).toEqual({ plan: 'gold', checked: true });
    expect(stored.external_id).toBe('crm:allowed@example.test');
  });
});

describe('fire-and-forget hooks go through a durable outbox', () => {
  let receiver: HttpReceiver;
  let dir: string;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    dir = await mkdtemp(join(tmpdir(), 'portcullis-hooks-'));
  });
  afterAll(async () => {
    await receiver?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const config = (path: string) => ({
    flows: {
      registration: {
        after: {
          hooks: [
            {
              hook: 'web_hook',
              config: {
                url: `${receiver.url}${path}`,
                method: 'POST',
                body: base64('function(ctx) { email: ctx.identity.traits.email }'),
                response: { ignore: true },
              },
            },
          ],
        },
      },
    },
  });

  it('delivers after the receiver failed twice', async () => {
    receiver.script('/flaky', [{ status: 500 }, { status: 503 }, { status: 200, body: {} }]);
    const server = await serverWith(`sqlite://${join(dir, 'flaky.sqlite')}`, config('/flaky'));
    try {
      await register(server, 'flaky@example.test');
      const calls = await receiver.waitFor('/flaky', 3);
      expect(calls.map((c) => JSON.parse(c.body))).toEqual([
        { email: 'flaky@example.test' },
        { email: 'flaky@example.test' },
        { email: 'flaky@example.test' },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(receiver.to('/flaky')).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('still delivers when the receiver is down across a server restart', async () => {
    const dsn = `sqlite://${join(dir, 'restart.sqlite')}`;
    await receiver.stop();
    const first = await serverWith(dsn, config('/later'));
    await register(first, 'later@example.test');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await first.close();
    await receiver.start();
    const second = await serverWith(dsn, config('/later'));
    try {
      const [call] = await receiver.waitFor('/later', 1);
      expect(JSON.parse(call?.body ?? '')).toEqual({ email: 'later@example.test' });
    } finally {
      await second.close();
    }
  });
});

describe('a runaway template', () => {
  let receiver: HttpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    server = await serverWith('memory', {
      flows: {
        registration: {
          after: {
            // A parse hook runs from the method's own list only, as in Kratos.
            password: {
              hooks: [
                {
                  hook: 'web_hook',
                  config: {
                    url: `${receiver.url}/never`,
                    method: 'POST',
                    // An endless loop (tailstrict: no stack to run out of), cut off by the time bound.
                    body: base64('function(ctx) local f(x) = f(x + 1) tailstrict; f(0)'),
                    response: { parse: true },
                  },
                },
              ],
            },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  it('is cut off, the flow fails cleanly and the server keeps answering', async () => {
    let settled = false;
    const pending = failure<{ error: { code: number } }>(register(server, 'loop@example.test')).finally(
      () => {
        settled = true;
      },
    );
    // Give the registration time to reach its hook (the loop then runs until its 2 s bound).
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The template runs off the main thread: the server answers while it is still looping.
    const health = await fetch(`${server.publicUrl}/health/alive`);
    expect(health.status).toBe(200);
    expect(settled).toBe(false);
    const refused = await pending;
    // A template that ran out of time is Kratos's plain Jsonnet error: a 500, nothing sent.
    expect(refused.status).toBe(500);
    expect(receiver.to('/never')).toHaveLength(0);
    expect((await register(server, 'after-loop@example.test').catch((e) => e.response)).status).toBe(500);
  });
});

describe('login web hooks run before the session is stored, as Kratos runs them', () => {
  let receiver: HttpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    // A sign-in gate of the kind teams write: refuse suspended people.
    receiver.script('/gate', (request) => {
      const { email } = JSON.parse(request.body) as { email: string };
      return email.startsWith('suspended') ? { status: 403, body: { error: 'suspended' } } : { status: 204 };
    });
    // A parse hook that reads the session too, and refuses some people with a message.
    receiver.script('/parse-gate', (request) => {
      const { email } = JSON.parse(request.body) as { email: string };
      return email.startsWith('blocked')
        ? {
            status: 403,
            body: {
              messages: [
                { instance_ptr: '#/', messages: [{ id: 4000099, text: 'Ask your admin.', type: 'error' }] },
              ],
            },
          }
        : { status: 200, body: {} };
    });
    server = await serverWith('memory', {
      flows: {
        login: {
          after: {
            password: {
              hooks: [
                {
                  hook: 'web_hook',
                  config: {
                    url: `${receiver.url}/gate`,
                    method: 'POST',
                    body: base64(
                      'function(ctx) { email: ctx.identity.traits.email, session: ctx.session.id, active: ctx.session.active }',
                    ),
                  },
                },
                {
                  hook: 'web_hook',
                  config: {
                    url: `${receiver.url}/parse-gate`,
                    method: 'POST',
                    body: base64(
                      'function(ctx) { email: ctx.identity.traits.email, session: ctx.session.id }',
                    ),
                    response: { parse: true },
                  },
                },
              ],
            },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  async function login(email: string) {
    const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    const { data: flow } = await frontend.createNativeLoginFlow();
    return frontend.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD },
    });
  }

  it('denies the sign-in when the hook fails, and stores no session', async () => {
    const { data: registered } = await register(server, 'suspended@example.test');
    const denied = await failure<{ error: { code: number; reason: string } }>(
      login('suspended@example.test'),
    );
    expect(denied.status).toBe(502);
    expect(denied.body.error.reason).toBe(
      'A third-party upstream service responded improperly. Please try again later.',
    );
    const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
    const { data: sessions } = await admin.listIdentitySessions({ id: registered.identity.id });
    expect(sessions).toEqual([]);
  });

  it("shows a parse hook's refusal on the login form, and stores no session", async () => {
    const { data: registered } = await register(server, 'blocked@example.test');
    const refused = await failure<{ id: string; ui: { messages?: { id: number; text: string }[] } }>(
      login('blocked@example.test'),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.ui.messages).toEqual([
      expect.objectContaining({ id: 4000099, text: 'Ask your admin.' }),
    ]);
    const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
    const { data: sessions } = await admin.listIdentitySessions({ id: registered.identity.id });
    expect(sessions).toEqual([]);
  });

  it('passes the session about to be stored, and signs in when the hook agrees', async () => {
    await register(server, 'member@example.test');
    const { data } = await login('member@example.test');
    const calls = receiver.to('/gate').map((call) => JSON.parse(call.body) as { email: string });
    expect(calls.at(-1)).toEqual({ email: 'member@example.test', session: data.session.id, active: true });
    // A parse hook gets the session too (Kratos runs every login hook on it, parse ones included).
    const parsed = receiver.to('/parse-gate').map((call) => JSON.parse(call.body) as { session: string });
    expect(parsed.at(-1)).toEqual({ email: 'member@example.test', session: data.session.id });
    const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    const { data: whoami } = await frontend.toSession({ xSessionToken: data.session_token });
    expect(whoami.id).toBe(data.session.id);
  });
});

describe('lazy password migration through the migrate hook', () => {
  let receiver: HttpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    receiver.script('/migrate', (request) => {
      const { identifier, password } = JSON.parse(request.body) as { identifier: string; password: string };
      return identifier === 'legacy@example.test' && password === 'old cognito password'
        ? { status: 200, body: { status: 'password_match' } }
        : { status: 403, body: {} };
    });
    server = await serverWith('memory', {
      methods: {
        password: {
          config: {
            haveibeenpwned_enabled: false,
            migrate_hook: {
              enabled: true,
              config: {
                url: `${receiver.url}/migrate`,
                auth: {
                  type: 'api_key',
                  config: { name: 'Authorization', value: 'Bearer migrate', in: 'header' },
                },
              },
            },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  it('checks the first login with the old system, then never again', async () => {
    const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
    await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits('legacy@example.test'),
        credentials: { password: { config: { use_password_migration_hook: true } } },
      },
    });
    const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    const login = async (password: string) => {
      const { data: flow } = await frontend.createNativeLoginFlow();
      return frontend.updateLoginFlow({
        flow: flow.id,
        updateLoginFlowBody: { method: 'password', identifier: 'legacy@example.test', password },
      });
    };
    const wrong = await failure<{ ui: { messages: { id: number }[] } }>(login('not it'));
    expect(wrong.status).toBe(400);
    expect(wrong.body.ui.messages.map((m) => m.id)).toEqual([4000006]);

    const { data: first } = await login('old cognito password');
    expect(first.session.identity?.traits.email).toBe('legacy@example.test');
    const calls = receiver.to('/migrate');
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers.authorization).toBe('Bearer migrate');

    await receiver.stop();
    const { data: second } = await login('old cognito password');
    expect(second.session.identity?.traits.email).toBe('legacy@example.test');
    expect(receiver.to('/migrate')).toHaveLength(2);
    await receiver.start();
  });
});
