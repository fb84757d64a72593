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

    // The first step answers with the flow at its password step, as Kratos: 400 (not a finished
    // sign-up), no method active, message 1040009.
    const first = await fetch(`${server.publicUrl}/self-service/registration?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'profile', traits }),
    });
    expect(first.status).toBe(400);
    const step = (await first.json()) as RegistrationFlow;
    expect(names(step.ui.nodes)).toContain('password');
    expect(step.active).toBeUndefined();
    expect(step.state).toBe('choose_method');
    expect(step.ui.messages?.map((m) => m.id)).toEqual([1040009]);
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

  it('goes back to the traits on the "Back" button (screen=previous alone), and on profile:back', async () => {
    const traits = {
      email: 'back@example.com',
      fullname: 'Dorothy Vaughan',
      phone_number: 5550103,
      user_type: 'educator',
    };
    const post = (flowId: string, body: Record<string, unknown>) =>
      fetch(`${server.publicUrl}/self-service/registration?flow=${flowId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    expect((await post(flow.id, { method: 'profile', traits })).status).toBe(400);

    for (const back of [
      { screen: 'previous', traits },
      { method: 'profile:back', traits },
    ]) {
      const answer = await post(flow.id, back);
      expect(answer.status).toBe(400);
      const body = (await answer.json()) as RegistrationFlow;
      expect(names(body.ui.nodes)).not.toContain('password');
      expect(body.ui.messages ?? []).toEqual([]);
      const email = body.ui.nodes.find((n) => (n.attributes as { name?: string }).name === 'traits.email');
      expect(email?.attributes).toMatchObject({ type: 'email', value: 'back@example.com' });
    }
    // screen=credential-selection moves on, as method=profile does.
    const onward = (await (
      await post(flow.id, { screen: 'credential-selection', traits })
    ).json()) as RegistrationFlow;
    expect(names(onward.ui.nodes)).toContain('password');
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
