/**
 * What a finished or refused registration answers, as Kratos: traits and password posted at once
 * to a new profile_first flow show its first step again when the traits are wrong (the step the
 * flow stands at), and `continue_with` lists its items in Kratos's order.
 */
import { Configuration, FrontendApi, type RegistrationFlow, type UiNode } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { failure } from './support/failure.js';
import { startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery staple 9';
const traits = (email: string) => ({
  email,
  fullname: 'Mary Jackson',
  phone_number: 5550102,
  user_type: 'student',
});
const node = (nodes: UiNode[], name: string) =>
  nodes.find((n) => (n.attributes as { name?: string }).name === name);
const actions = (items: { action: string }[] | undefined) => (items ?? []).map((item) => item.action);

describe('registration answers (profile_first, verification on, session and show_verification_ui hooks)', () => {
  let server: TestServer;
  let frontend: FrontendApi;

  beforeAll(async () => {
    server = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        // Never reached: the courier's worker does not run here, the messages only queue.
        courier: { smtp: { connection_uri: 'smtp://127.0.0.1:9/' } },
        selfservice: {
          default_browser_return_url: 'http://app.example.test/welcome',
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
          flows: {
            // Kratos master lists show_verification_ui only with its hook (PR #4402).
            registration: {
              after: { password: { hooks: [{ hook: 'session' }, { hook: 'show_verification_ui' }] } },
            },
            verification: { enabled: true, use: 'code' },
          },
        },
      },
    });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('shows the traits step with its errors for a one-shot password post with bad traits', async () => {
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    const refused = await failure<RegistrationFlow>(
      frontend.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: {
          method: 'password',
          password: PASSWORD,
          traits: { ...traits('bad'), email: 'bad' },
        },
      }),
    );
    expect(refused.status).toBe(400);
    const nodes = refused.body.ui.nodes;
    const email = node(nodes, 'traits.email');
    expect(email?.attributes).toMatchObject({ type: 'email', value: 'bad' });
    expect(email?.messages.map((m) => m.id)).toEqual([4000040]);
    expect(node(nodes, 'method')?.attributes).toMatchObject({ value: 'profile' });
    expect(node(nodes, 'screen')).toBeUndefined();
  });

  it('keeps the credentials step for errors once the traits were taken', async () => {
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    const step = await fetch(`${server.publicUrl}/self-service/registration?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'profile', traits: traits('steps@example.com') }),
    });
    expect(step.status).toBe(400);
    const refused = await failure<RegistrationFlow>(
      frontend.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: {
          method: 'password',
          password: 'short',
          traits: traits('steps@example.com'),
        },
      }),
    );
    expect(node(refused.body.ui.nodes, 'traits.email')?.attributes).toMatchObject({ type: 'hidden' });
    expect(node(refused.body.ui.nodes, 'password')?.messages.map((m) => m.id)).toEqual([4000032]);
  });

  it('lists show_verification_ui before set_ory_session_token for a native app', async () => {
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    const { data } = await frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: 'password',
        password: PASSWORD,
        traits: traits('native@example.com'),
      },
    });
    expect(actions(data.continue_with)).toEqual(['show_verification_ui', 'set_ory_session_token']);
  });

  it('lists redirect_browser_to before show_verification_ui for an SPA', async () => {
    const browser = new BrowserClient(server.publicUrl);
    const flow = (await (
      await browser.getJson('/self-service/registration/browser')
    ).json()) as RegistrationFlow;
    const answer = await browser.postJson(`/self-service/registration?flow=${flow.id}`, {
      method: 'password',
      csrf_token: csrfTokenOf(flow),
      password: PASSWORD,
      traits: traits('spa@example.com'),
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { continue_with: { action: string }[] };
    expect(actions(body.continue_with)).toEqual(['redirect_browser_to', 'show_verification_ui']);
  });
});
