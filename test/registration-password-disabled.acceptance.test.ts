/**
 * `selfservice.methods.password.enabled: false` switches the password method off (and a disabled
 * oidc method answers the same), as Kratos lists only enabled strategies: no password nodes on registration and login forms, and a `method:
 * password` submission is refused with 404 and Kratos's EndpointDisabledMessage — no identity, no
 * session.
 */
import { Configuration, FrontendApi, IdentityApi, type UiNode } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { startTestServer, type TestServer } from './support/server.js';

const DISABLED =
  'This endpoint was disabled by system administrator. Please check your url or contact the system administrator to enable it.';
const PASSWORD = 'correct horse battery staple 9';
const traits = (email: string) => ({
  email,
  fullname: 'Katherine Johnson',
  phone_number: 5550104,
  user_type: 'educator',
});

const names = (nodes: UiNode[]) => nodes.map((n) => (n.attributes as { name?: string }).name);
const groups = (nodes: UiNode[]) => nodes.map((n) => n.group);

/** Posts JSON to a flow, as a native app or an SPA does. */
async function post(server: TestServer, kind: 'registration' | 'login', flowId: string, body: unknown) {
  const response = await fetch(`${server.publicUrl}/self-service/${kind}?flow=${flowId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function startServer(flows: Record<string, unknown>) {
  return startTestServer({
    dsn: 'memory',
    extraConfig: {
      selfservice: {
        default_browser_return_url: 'http://app.example.test/welcome',
        methods: { password: { enabled: false, config: { haveibeenpwned_enabled: false } } },
        flows: {
          ...flows,
          registration: {
            ...(flows.registration as object),
            after: { password: { hooks: [{ hook: 'session' }] } },
          },
        },
      },
    },
  });
}

describe('methods.password.enabled: false, unified registration and login', () => {
  let server: TestServer;
  let frontend: FrontendApi;
  let admin: IdentityApi;

  beforeAll(async () => {
    server = await startServer({ registration: { style: 'unified' } });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('puts no password nodes on the registration form and refuses a password sign-up with 404', async () => {
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    expect(groups(flow.ui.nodes)).not.toContain('password');
    expect(names(flow.ui.nodes)).not.toContain('password');

    const refused = await post(server, 'registration', flow.id, {
      method: 'password',
      password: PASSWORD,
      traits: traits('jack@example.com'),
    });
    expect(refused.status).toBe(404);
    expect(refused.body).toEqual({
      error: {
        code: 404,
        status: 'Not Found',
        reason: DISABLED,
        message: 'The requested resource could not be found',
      },
    });
    const { data: found } = await admin.listIdentities({ credentialsIdentifier: 'jack@example.com' });
    expect(found).toEqual([]);
  });

  it('refuses method oidc with the same 404 when the oidc method is off too', async () => {
    for (const kind of ['registration', 'login'] as const) {
      const { data: flow } =
        kind === 'registration'
          ? await frontend.createNativeRegistrationFlow()
          : await frontend.createNativeLoginFlow();
      const refused = await post(server, kind, flow.id, { method: 'oidc', provider: 'google' });
      expect(refused.status, kind).toBe(404);
      expect(refused.body).toMatchObject({ error: { code: 404, reason: DISABLED } });
    }
  });

  it('refuses an SPA password sign-up the same way', async () => {
    const browser = new BrowserClient(server.publicUrl);
    const flow = (await (await browser.getJson('/self-service/registration/browser')).json()) as {
      id: string;
      ui: { nodes: UiNode[] };
    };
    expect(names(flow.ui.nodes)).not.toContain('password');
    const answer = await browser.postJson(`/self-service/registration?flow=${flow.id}`, {
      method: 'password',
      csrf_token: csrfTokenOf(flow),
      password: PASSWORD,
      traits: traits('spa-jack@example.com'),
    });
    expect(answer.status).toBe(404);
    expect(browser.cookie('ory_kratos_session')).toBeUndefined();
  });

  it('puts no password nodes on the login form and refuses a password login with 404', async () => {
    await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits('imported@example.com'),
        credentials: { password: { config: { password: PASSWORD } } },
      },
    });
    const { data: flow } = await frontend.createNativeLoginFlow();
    expect(names(flow.ui.nodes)).not.toContain('password');
    expect(names(flow.ui.nodes)).not.toContain('identifier');

    const refused = await post(server, 'login', flow.id, {
      method: 'password',
      identifier: 'imported@example.com',
      password: PASSWORD,
    });
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ error: { code: 404, reason: DISABLED } });
    expect(refused.body).not.toHaveProperty('session_token');
  });
});

describe('methods.password.enabled: false, profile_first registration and identifier_first login', () => {
  let server: TestServer;
  let frontend: FrontendApi;
  let admin: IdentityApi;

  beforeAll(async () => {
    server = await startServer({
      registration: { style: 'profile_first' },
      login: { style: 'identifier_first' },
    });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('keeps the traits step, offers no password on the credentials step, and refuses a password with 404', async () => {
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    expect(names(flow.ui.nodes)).toEqual(expect.arrayContaining(['traits.email', 'method']));
    expect(groups(flow.ui.nodes)).not.toContain('password');

    const step = await post(server, 'registration', flow.id, {
      method: 'profile',
      traits: traits('pf@example.com'),
    });
    expect(step.status).toBe(400);
    const nodes = (step.body as { ui: { nodes: UiNode[] } }).ui.nodes;
    expect(names(nodes)).toContain('screen');
    expect(names(nodes)).not.toContain('password');
    expect(groups(nodes)).not.toContain('password');

    const refused = await post(server, 'registration', flow.id, {
      method: 'password',
      password: PASSWORD,
      traits: traits('pf@example.com'),
    });
    expect(refused.status).toBe(404);
    const { data: found } = await admin.listIdentities({ credentialsIdentifier: 'pf@example.com' });
    expect(found).toEqual([]);
  });

  it('offers no password on the identifier-first credentials step', async () => {
    await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits('idfirst@example.com'),
        credentials: { password: { config: { password: PASSWORD } } },
      },
    });
    const { data: flow } = await frontend.createNativeLoginFlow();
    const answer = await post(server, 'login', flow.id, {
      method: 'identifier_first',
      identifier: 'idfirst@example.com',
    });
    expect(names((answer.body as { ui: { nodes: UiNode[] } }).ui.nodes)).not.toContain('password');

    const refused = await post(server, 'login', flow.id, {
      method: 'password',
      identifier: 'idfirst@example.com',
      password: PASSWORD,
    });
    expect(refused.status).toBe(404);
  });
});

describe('profile_first with a provider: its buttons on both steps, as Kratos', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        selfservice: {
          default_browser_return_url: 'http://app.example.test/welcome',
          methods: {
            password: { enabled: true, config: { haveibeenpwned_enabled: false } },
            oidc: {
              enabled: true,
              config: {
                providers: [
                  {
                    id: 'exam-idp',
                    provider: 'generic',
                    client_id: 'portcullis',
                    client_secret: 'not contacted by this test',
                    issuer_url: 'https://idp.example.test',
                    mapper_url:
                      'base64://bG9jYWwgYyA9IHN0ZC5leHRWYXIoJ2NsYWltcycpOyB7IGlkZW50aXR5OiB7IHRyYWl0czogeyBlbWFpbDogYy5lbWFpbCB9IH0gfQ==',
                  },
                ],
              },
            },
          },
          flows: { registration: { style: 'profile_first' } },
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('offers the provider beside the password on the credentials step', async () => {
    const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    expect(names(flow.ui.nodes)[0]).toBe('provider');
    const step = await post(server, 'registration', flow.id, {
      method: 'profile',
      traits: traits('both@example.com'),
    });
    const nodes = (step.body as { ui: { nodes: UiNode[] } }).ui.nodes;
    expect(nodes[0]).toMatchObject({ group: 'oidc', attributes: { name: 'provider', value: 'exam-idp' } });
    expect(names(nodes)).toEqual(expect.arrayContaining(['password', 'screen']));
  });
});
