import { Configuration, FrontendApi, type RegistrationFlow, type UiNode } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HibpStandIn,
  startHibpStandIn,
} from '../src/selfservice/strategies/password/policy/testing/hibp-stand-in.js';
import { failure } from './support/failure.js';
import { startTestServer, type TestServer } from './support/server.js';

const passwordMessages = (nodes: UiNode[]) =>
  nodes.find((n) => (n.attributes as { name?: string }).name === 'password')?.messages ?? [];

const traits = (email: string) => ({
  email,
  fullname: 'Annie Easley',
  phone_number: 5550103,
  user_type: 'educator',
});

/**
 * Registration with the HIBP range API (a local stand-in that speaks its protocol), bcrypt as
 * the hasher, and revoke_active_sessions after login.
 */
describe('registration and login policies end to end', () => {
  let server: TestServer;
  let hibp: HibpStandIn;
  let frontend: FrontendApi;

  beforeAll(async () => {
    hibp = await startHibpStandIn();
    hibp.breach('Tr0ub4dor&3-leaked-2024', 812);
    server = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        hashers: { algorithm: 'bcrypt', bcrypt: { cost: 4 } },
        selfservice: {
          default_browser_return_url: 'http://app.example.test/',
          methods: {
            password: {
              config: {
                haveibeenpwned_enabled: true,
                haveibeenpwned_host: hibp.origin,
                ignore_network_errors: false,
              },
            },
          },
          flows: {
            registration: { style: 'unified', after: { password: { hooks: [{ hook: 'session' }] } } },
            login: { after: { password: { hooks: [{ hook: 'revoke_active_sessions' }] } } },
          },
        },
      },
    });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  });
  afterAll(async () => {
    await server?.close();
    await hibp?.close();
  });

  async function register(email: string, password: string) {
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    return frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: { method: 'password', traits: traits(email), password },
    });
  }

  it('refuses a breached password with 4000034, sending only a 5-character hash prefix', async () => {
    const refused = await failure<RegistrationFlow>(
      register('breached@example.com', 'Tr0ub4dor&3-leaked-2024'),
    );
    expect(refused.status).toBe(400);
    expect(passwordMessages(refused.body.ui.nodes)).toMatchObject([
      { id: 4000034, context: { breaches: 812 } },
    ]);
    expect(hibp.requests.length).toBeGreaterThan(0);
    for (const request of hibp.requests) {
      expect(request.url).toMatch(/^\/range\/[0-9A-F]{5}$/);
      expect(request.url).not.toContain('Tr0ub4dor');
    }
    const { status } = await register('clean@example.com', 'a perfectly fine passphrase 2026');
    expect(status).toBe(200);
  });

  it('fails closed when the breach lookup fails and ignore_network_errors is off', async () => {
    hibp.setMode({ kind: 'status', status: 503 });
    try {
      const refused = await failure<{ error: { code: number } }>(
        register('lookup@example.com', 'another fine passphrase 2026'),
      );
      expect(refused.status).toBe(500);
    } finally {
      hibp.setMode({ kind: 'range' });
    }
  });

  it('answers a password over 72 bytes with 4000033 under bcrypt, never truncating it', async () => {
    const long = `${'x'.repeat(70)}-🔐🔐`;
    const refused = await failure<RegistrationFlow>(register('long@example.com', long));
    expect(refused.status).toBe(400);
    expect(passwordMessages(refused.body.ui.nodes)).toMatchObject([
      { id: 4000033, context: { max_length: 72 } },
    ]);
  });

  it('ends the other sessions when revoke_active_sessions runs after login', async () => {
    const { data: registered } = await register('revoker@example.com', 'the revoking passphrase 2026');
    const first = registered.session_token ?? '';
    expect((await frontend.toSession({ xSessionToken: first })).status).toBe(200);
    const { data: flow } = await frontend.createNativeLoginFlow();
    const { data: login } = await frontend.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: {
        method: 'password',
        identifier: 'revoker@example.com',
        password: 'the revoking passphrase 2026',
      },
    });
    expect((await frontend.toSession({ xSessionToken: login.session_token })).status).toBe(200);
    expect((await failure(frontend.toSession({ xSessionToken: first }))).status).toBe(401);
  });
});
