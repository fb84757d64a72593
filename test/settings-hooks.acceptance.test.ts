/**
 * Settings `after` hooks against a real Portcullis: the hooks Kratos's schema accepts that
 * Portcullis does not implement yet stop the start, and `response.parse` web hooks are read
 * where Kratos reads them (the method's own list only, for settings and registration).
 */
import { Configuration, FrontendApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/index.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery staple';
const base64 = (text: string) => `base64://${Buffer.from(text).toString('base64')}`;
const traits = (email: string, fullname = 'Ada') => ({
  email,
  fullname,
  phone_number: 5550100,
  user_type: 'educator',
});

describe('settings hooks that are not supported yet', () => {
  async function refusal(hooks: Record<string, unknown>): Promise<ConfigError> {
    const error = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        courier: { smtp: { connection_uri: 'smtp://127.0.0.1:25/' } },
        selfservice: {
          default_browser_return_url: 'http://app.example.test/',
          flows: { verification: { enabled: true, use: 'code' }, settings: { after: hooks } },
        },
      },
    }).then(
      async (server) => {
        await server.close();
        throw new Error('expected the start to be refused');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }

  it('stop the start, naming the hook and its key (verify_new_address would let an email change unverified)', async () => {
    const error = await refusal({ profile: { hooks: [{ hook: 'verify_new_address' }] } });
    expect(error.issues).toMatchObject([
      {
        path: 'selfservice.flows.settings.after.profile.hooks.0.hook',
        message: expect.stringMatching(/^"verify_new_address" is not supported yet: /),
      },
    ]);
    expect(error.message).toContain('selfservice.flows.settings.after.profile.hooks.0.hook');
  });

  it('notify_previous_addresses too, with its config, wherever it sits in the list', async () => {
    const error = await refusal({
      profile: {
        hooks: [
          { hook: 'show_verification_ui' },
          { hook: 'notify_previous_addresses', config: { recipients: 'all_verified' } },
        ],
      },
    });
    expect(error.issues).toMatchObject([
      {
        path: 'selfservice.flows.settings.after.profile.hooks.1.hook',
        message: expect.stringMatching(/^"notify_previous_addresses" is not supported yet: /),
      },
    ]);
  });
});

describe('response.parse web hooks of settings and registration', () => {
  let receiver: HttpReceiver;
  let server: TestServer;
  let frontend: FrontendApi;
  const webHook = (path: string, parse: boolean) => ({
    hook: 'web_hook',
    config: {
      url: `${receiver.url}${path}`,
      method: 'POST',
      body: base64('function(ctx) { email: ctx.identity.traits.email }'),
      ...(parse ? { response: { parse: true } } : {}),
    },
  });

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    server = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        selfservice: {
          default_browser_return_url: 'http://app.example.test/',
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
          flows: {
            settings: {
              privileged_session_max_age: '15m',
              after: {
                // The flow's list: profile has none of its own.
                hooks: [webHook('/settings-parse', true), webHook('/settings-plain', false)],
                password: { hooks: [webHook('/password-parse', true)] },
              },
            },
            registration: { after: { hooks: [webHook('/registration-parse', true)] } },
          },
        },
      },
    });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  async function signIn(email: string): Promise<string> {
    await server.registry.identities.create({
      schema_id: 'exam',
      traits: traits(email),
      credentials: { password: { config: { password: PASSWORD } } },
    });
    const { data: flow } = await frontend.createNativeLoginFlow();
    const { data } = await frontend.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD },
    });
    return data.session_token ?? '';
  }

  it("settings: a parse hook in after.hooks never runs (Kratos's pre-persist hooks are the method's own); the plain one does, after the save", async () => {
    const token = await signIn('parse-global@example.com');
    const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });
    // Were the parse hook run, this answer would refuse the change.
    receiver.script('/settings-parse', [
      {
        status: 400,
        body: { messages: [{ instance_ptr: '#/', messages: [{ id: 1, text: 'no', type: 'error' }] }] },
      },
    ]);
    const { data: saved } = await frontend.updateSettingsFlow({
      flow: flow.id,
      xSessionToken: token,
      updateSettingsFlowBody: { method: 'profile', traits: traits('parse-global@example.com', 'Ada King') },
    });
    expect(saved.state).toBe('success');
    expect(saved.identity.traits.fullname).toBe('Ada King');
    expect(receiver.to('/settings-parse')).toHaveLength(0);
    expect(receiver.to('/settings-plain').map((r) => JSON.parse(r.body))).toEqual([
      { email: 'parse-global@example.com' },
    ]);
  });

  it("settings: a parse hook in the method's own list runs before the save and can stop it", async () => {
    const token = await signIn('parse-own@example.com');
    const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });
    const plainBefore = receiver.to('/settings-plain').length;
    receiver.script('/password-parse', [
      {
        status: 400,
        body: {
          messages: [{ instance_ptr: '#/', messages: [{ id: 4000001, text: 'refused', type: 'error' }] }],
        },
      },
    ]);
    const refused = await fetch(`${server.publicUrl}/self-service/settings?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-session-token': token },
      body: JSON.stringify({ method: 'password', password: 'a completely different passphrase' }),
    });
    expect(refused.status).toBe(400);
    expect(receiver.to('/password-parse')).toHaveLength(1);
    // The flow's own list decides: the global plain hook does not run for password.
    expect(receiver.to('/settings-plain')).toHaveLength(plainBefore);
  });

  it('registration: a parse hook in after.hooks never runs either', async () => {
    receiver.script('/registration-parse', [{ status: 500 }]);
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    const { data } = await frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: 'password',
        password: PASSWORD,
        traits: traits('parse-registration@example.com'),
      },
    });
    expect(data.identity.traits.email).toBe('parse-registration@example.com');
    expect(receiver.to('/registration-parse')).toHaveLength(0);
  });
});
