import { Configuration, FrontendApi, type RegistrationFlow, type UiNode } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

const names = (nodes: UiNode[]) =>
  nodes.map((n) => (n.attributes as { name?: string; value?: unknown }).name);

/** Kratos's default registration style: traits first, then the password. */
describe('registration with style profile_first (the default)', () => {
  let server: TestServer;
  let frontend: FrontendApi;

  beforeAll(async () => {
    server = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        selfservice: {
          default_browser_return_url: 'http://app.example.test/welcome',
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
          flows: { registration: { after: { password: { hooks: [{ hook: 'session' }] } } } },
        },
      },
    });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('asks for the traits, then the password, then signs the person in', async () => {
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    expect(names(flow.ui.nodes)).not.toContain('password');
    const traits = {
      email: 'two-step@example.com',
      fullname: 'Mary Jackson',
      phone_number: 5550102,
      user_type: 'student',
    };

    // The first step answers with the flow at its password step.
    const first = await fetch(`${server.publicUrl}/self-service/registration?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'profile', traits }),
    });
    expect(first.status).toBe(200);
    const step = (await first.json()) as RegistrationFlow;
    expect(names(step.ui.nodes)).toContain('password');
    const hiddenEmail = step.ui.nodes.find(
      (n) => (n.attributes as { name?: string }).name === 'traits.email',
    );
    expect(hiddenEmail?.attributes).toMatchObject({ type: 'hidden', value: 'two-step@example.com' });

    const { data } = await frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: { method: 'password', traits, password: 'correct horse battery staple' },
    });
    expect(data.session_token).toMatch(/^ory_st_/);
  });

  it('keeps invalid traits on the first step with their messages', async () => {
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    const response = await fetch(`${server.publicUrl}/self-service/registration?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'profile', traits: { email: 'x@example.com' } }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as RegistrationFlow;
    expect(names(body.ui.nodes)).not.toContain('password');
    const fullname = body.ui.nodes.find(
      (n) => (n.attributes as { name?: string }).name === 'traits.fullname',
    );
    expect(fullname?.messages.map((m) => m.id)).toEqual([4000002]);
  });
});
