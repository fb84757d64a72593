import { Configuration, FrontendApi, IdentityApi, type LoginFlow, type UiNode } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient } from './support/browser-client.js';
import { failure } from './support/failure.js';
import { startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'an-identifier-first-passphrase-7';

const attr = (node: UiNode | undefined) => node?.attributes as Record<string, unknown> | undefined;
const named = (nodes: UiNode[], name: string) => nodes.filter((n) => attr(n)?.name === name);
const one = (nodes: UiNode[], name: string) => named(nodes, name)[0];

async function serverWith(extra: Record<string, unknown> = {}): Promise<TestServer> {
  return startTestServer({
    dsn: 'memory',
    extraConfig: {
      selfservice: {
        default_browser_return_url: 'http://app.example.test/',
        flows: { login: { style: 'identifier_first' } },
      },
      ...extra,
    },
  });
}

/** A new native login flow and its identifier step: the flow's id and the step's answer. */
async function identify(
  frontend: FrontendApi,
  identifier: string,
): Promise<{ flowId: string; status: number; body: LoginFlow }> {
  const { data: flow } = await frontend.createNativeLoginFlow();
  const step = await failure<LoginFlow>(
    frontend.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: 'identifier_first', identifier },
    }),
  );
  return { flowId: flow.id, ...step };
}

async function createIdentity(server: TestServer, email: string): Promise<void> {
  const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
  await admin.createIdentity({
    createIdentityBody: {
      schema_id: 'exam',
      traits: { email, fullname: 'Ada Lovelace', phone_number: 5550100, user_type: 'educator' },
      credentials: { password: { config: { password: PASSWORD } } },
    },
  });
}

/**
 * `selfservice.flows.login.style: identifier_first`, driven with @ory/client as a native app
 * and a SPA would, and by a browser posting forms: identifier, then the account's credentials.
 */
describe('identifier-first login', () => {
  let server: TestServer;
  let frontend: FrontendApi;

  beforeAll(async () => {
    server = await serverWith();
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    await createIdentity(server, 'ada@example.com');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('asks for the identifier alone first, as Kratos builds that step', async () => {
    const { data: flow } = await frontend.createNativeLoginFlow();
    expect(flow.ui.nodes.map((n) => [n.group, attr(n)?.name, attr(n)?.type])).toEqual([
      ['identifier_first', 'identifier', 'text'],
      ['identifier_first', 'method', 'submit'],
    ]);
    expect(one(flow.ui.nodes, 'identifier')).toMatchObject({
      attributes: { value: '', required: true, autocomplete: 'username webauthn' },
      meta: { label: { id: 1070002, text: 'E-Mail' } },
    });
    expect(one(flow.ui.nodes, 'method')).toMatchObject({
      attributes: { value: 'identifier_first' },
      meta: { label: { id: 1070009, text: 'Continue' } },
    });
  });

  it('then shows the password step with the identifier hidden, and signs in', async () => {
    // A step, not a sign-in: 400 with the flow, as Kratos answers it to JSON clients.
    const step = await identify(frontend, 'ADA@example.com');
    expect(step.status).toBe(400);
    expect(step.body.active).toBe('identifier_first');
    expect(step.body.ui.messages ?? []).toEqual([]);
    expect(step.body.ui.nodes.map((n) => [n.group, attr(n)?.name, attr(n)?.type])).toEqual([
      ['identifier_first', 'identifier', 'hidden'],
      ['password', 'password', 'password'],
      ['password', 'method', 'submit'],
    ]);
    expect(attr(one(step.body.ui.nodes, 'identifier'))?.value).toBe('ADA@example.com');

    const { data: signedIn } = await frontend.updateLoginFlow({
      flow: step.flowId,
      updateLoginFlowBody: { method: 'password', identifier: 'ADA@example.com', password: PASSWORD },
    });
    expect(signedIn.session.identity?.traits.email).toBe('ada@example.com');
    expect(signedIn.session_token).toMatch(/^ory_st_/);
  });

  it('keeps the password step after a wrong password, saying 4000006', async () => {
    const { flowId } = await identify(frontend, 'ada@example.com');
    const refused = await failure<LoginFlow>(
      frontend.updateLoginFlow({
        flow: flowId,
        updateLoginFlowBody: { method: 'password', identifier: 'ada@example.com', password: 'not-it' },
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.ui.messages).toMatchObject([{ id: 4000006 }]);
    expect(attr(one(refused.body.ui.nodes, 'identifier'))).toMatchObject({
      type: 'hidden',
      value: 'ada@example.com',
    });
    expect(named(refused.body.ui.nodes, 'password')).toHaveLength(1);
  });

  it('says an unknown account does not exist (4000037), and a missing identifier is required', async () => {
    const unknown = await identify(frontend, 'nobody@example.com');
    expect(unknown.status).toBe(400);
    expect(unknown.body.ui.messages).toMatchObject([{ id: 4000037, type: 'error' }]);
    expect(attr(one(unknown.body.ui.nodes, 'identifier'))).toMatchObject({
      type: 'text',
      value: 'nobody@example.com',
    });
    expect(named(unknown.body.ui.nodes, 'password')).toHaveLength(0);

    const missing = await failure<LoginFlow>(
      frontend.updateLoginFlow({
        flow: unknown.flowId,
        updateLoginFlowBody: { method: 'identifier_first', identifier: '' },
      }),
    );
    expect(one(missing.body.ui.nodes, 'identifier')?.messages).toMatchObject([{ id: 4000002 }]);
  });

  it('walks a browser through both steps with form posts and the UI redirects', async () => {
    const browser = new BrowserClient(server.publicUrl);
    const init = await browser.request('/self-service/login/browser', { headers: { accept: 'text/html' } });
    expect(init.status).toBe(303);
    const flowId = new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    const flow = (await (
      await browser.getJson(`/self-service/login/flows?id=${flowId}`)
    ).json()) as LoginFlow;
    const csrf = String(attr(one(flow.ui.nodes, 'csrf_token'))?.value);

    const step = await browser.postForm(`/self-service/login?flow=${flowId}`, {
      csrf_token: csrf,
      method: 'identifier_first',
      identifier: 'ada@example.com',
    });
    expect(step.status).toBe(303);
    expect(step.headers.get('location')).toContain(`flow=${flowId}`);
    const shown = (await (
      await browser.getJson(`/self-service/login/flows?id=${flowId}`)
    ).json()) as LoginFlow;
    expect(attr(one(shown.ui.nodes, 'identifier'))?.type).toBe('hidden');
    const fresh = String(attr(one(shown.ui.nodes, 'csrf_token'))?.value);

    const done = await browser.postForm(`/self-service/login?flow=${flowId}`, {
      csrf_token: fresh,
      method: 'password',
      identifier: 'ada@example.com',
      password: PASSWORD,
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('http://app.example.test/');
    expect(browser.cookie('ory_kratos_session')).toBeDefined();
  });
});

describe('identifier-first login with security.account_enumeration.mitigate', () => {
  let server: TestServer;
  let frontend: FrontendApi;

  beforeAll(async () => {
    server = await serverWith({ security: { account_enumeration: { mitigate: true } } });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    await createIdentity(server, 'grace@example.com');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers an unknown and a known account alike, and a wrong password as invalid credentials', async () => {
    const steps: LoginFlow[] = [];
    for (const identifier of ['grace@example.com', 'nobody@example.com']) {
      const step = await identify(frontend, identifier);
      expect(step.status).toBe(400);
      steps.push(step.body);
      const refused = await failure<LoginFlow>(
        frontend.updateLoginFlow({
          flow: step.flowId,
          updateLoginFlowBody: { method: 'password', identifier, password: 'not-it' },
        }),
      );
      expect(refused.body.ui.messages).toMatchObject([{ id: 4000006 }]);
    }
    const shape = (flow: LoginFlow) =>
      flow.ui.nodes.map((n) => [n.group, attr(n)?.name, attr(n)?.type, n.messages.length]);
    expect(shape(steps[0] as LoginFlow)).toEqual(shape(steps[1] as LoginFlow));
    expect((steps[1] as LoginFlow).ui.messages ?? []).toEqual([]);
  });
});

describe('identifier-first login with providers', () => {
  let server: TestServer;
  let frontend: FrontendApi;
  let admin: IdentityApi;
  const provider = (id: string) => ({
    id,
    provider: 'generic',
    client_id: `${id}-client`,
    client_secret: 'unused',
    // Never reached: these tests only look at the buttons.
    issuer_url: 'http://127.0.0.1:9/',
    mapper_url:
      'base64://bG9jYWwgY2xhaW1zID0gc3RkLmV4dFZhcignY2xhaW1zJyk7IHsgaWRlbnRpdHk6IHsgdHJhaXRzOiB7fSB9IH0=',
  });
  const traits = (email: string) => ({
    email,
    fullname: 'Grace',
    phone_number: 5550101,
    user_type: 'student',
  });

  beforeAll(async () => {
    server = await serverWith({
      selfservice: {
        default_browser_return_url: 'http://app.example.test/',
        flows: { login: { style: 'identifier_first' } },
        methods: { oidc: { enabled: true, config: { providers: [provider('alpha'), provider('beta')] } } },
      },
    });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
  });
  afterAll(async () => {
    await server?.close();
  });

  const providersOf = (nodes: UiNode[]) =>
    nodes.filter((n) => n.group === 'oidc').map((n) => String(attr(n)?.value));

  async function credentialStep(identifier: string): Promise<LoginFlow> {
    const step = await identify(frontend, identifier);
    expect(step.status).toBe(400);
    return step.body;
  }

  it('offers every provider with the identifier first, then only the linked ones', async () => {
    const { data: flow } = await frontend.createNativeLoginFlow();
    expect(providersOf(flow.ui.nodes)).toEqual(['alpha', 'beta']);

    // An account made through a provider: found by its email, as Kratos finds it, with no password.
    await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits('social@example.com'),
        credentials: { oidc: { config: { providers: [{ provider: 'beta', subject: 'beta-1' }] } } },
      },
    });
    const social = await credentialStep('social@example.com');
    expect(providersOf(social.ui.nodes)).toEqual(['beta']);
    expect(named(social.ui.nodes, 'password')).toHaveLength(0);
    expect(social.ui.messages ?? []).toEqual([]);

    // A password and a provider: both.
    await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits('both@example.com'),
        credentials: {
          password: { config: { password: PASSWORD } },
          oidc: { config: { providers: [{ provider: 'alpha', subject: 'alpha-1' }] } },
        },
      },
    });
    const both = await credentialStep('both@example.com');
    expect(providersOf(both.ui.nodes)).toEqual(['alpha']);
    expect(named(both.ui.nodes, 'password')).toHaveLength(1);
  });

  it('keeps the credentials step when the provider chosen there fails', async () => {
    await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits('unreachable@example.com'),
        credentials: { oidc: { config: { providers: [{ provider: 'alpha', subject: 'alpha-2' }] } } },
      },
    });
    const browser = new BrowserClient(server.publicUrl);
    const init = await browser.getJson('/self-service/login/browser');
    const flow = (await init.json()) as LoginFlow;
    const post = (body: Record<string, string>, nodes: UiNode[]) =>
      browser.postForm(`/self-service/login?flow=${flow.id}`, {
        csrf_token: String(attr(one(nodes, 'csrf_token'))?.value),
        ...body,
      });
    await post({ method: 'identifier_first', identifier: 'unreachable@example.com' }, flow.ui.nodes);
    const step = (await (
      await browser.getJson(`/self-service/login/flows?id=${flow.id}`)
    ).json()) as LoginFlow;
    expect(providersOf(step.ui.nodes)).toEqual(['alpha']);

    // alpha's issuer cannot be reached: the person stays on their step, told why (5000001).
    const failed = await post({ method: 'oidc', provider: 'alpha' }, step.ui.nodes);
    expect(failed.status).toBe(303);
    const shown = (await (
      await browser.getJson(`/self-service/login/flows?id=${flow.id}`)
    ).json()) as LoginFlow;
    expect(shown.ui.messages?.map((m) => m.id)).toEqual([5000001]);
    expect(attr(one(shown.ui.nodes, 'identifier'))).toMatchObject({
      type: 'hidden',
      value: 'unreachable@example.com',
    });
    expect(providersOf(shown.ui.nodes)).toEqual(['alpha']);
    expect(attr(one(shown.ui.nodes, 'csrf_token'))?.value).not.toBe(
      attr(one(step.ui.nodes, 'csrf_token'))?.value,
    );
  });

  it('shows the password step to an imported account whose password the migration hook checks', async () => {
    await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits('imported@example.com'),
        credentials: { password: { config: { use_password_migration_hook: true } } },
      },
    });
    const step = await credentialStep('imported@example.com');
    expect(named(step.ui.nodes, 'password')).toHaveLength(1);
    expect(providersOf(step.ui.nodes)).toEqual([]);
  });
});
