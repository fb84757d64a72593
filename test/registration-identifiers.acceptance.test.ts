/**
 * Registration's handling of login identifiers, as Kratos's password strategy and identity
 * manager: a password needs an identifier to sign in with (4000009), the policy compares the
 * password with every identifier (4000031), and a taken identifier says how the existing account
 * signs in when `registration.login_hints` is on (4000028), else only that it exists (4000007).
 */
import { Configuration, FrontendApi, IdentityApi, type RegistrationFlow, type UiNode } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../src/kernel/logger.js';
import { captureLogs } from '../src/kernel/testing/log-capture.js';
import { failure } from './support/failure.js';
import { startTestServer, type TestServer } from './support/server.js';

/** `email` is only an address; `username` and `nick` are optional password identifiers. */
const handlesSchema = {
  $id: 'https://schemas.example.test/handles.json',
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    traits: {
      type: 'object',
      properties: {
        email: {
          type: 'string',
          format: 'email',
          title: 'E-Mail',
          'ory.sh/kratos': { verification: { via: 'email' } },
        },
        username: {
          type: 'string',
          title: 'Username',
          'ory.sh/kratos': { credentials: { password: { identifier: true } } },
        },
        nick: {
          type: 'string',
          title: 'Nick',
          'ory.sh/kratos': { credentials: { password: { identifier: true } } },
        },
      },
      required: ['email'],
      additionalProperties: false,
    },
  },
};
const HANDLES_SCHEMA_URL = `base64://${Buffer.from(JSON.stringify(handlesSchema)).toString('base64')}`;
const PASSWORD = 'correct horse battery staple 9';

const passwordMessages = (nodes: UiNode[]) =>
  nodes.find((n) => (n.attributes as { name?: string }).name === 'password')?.messages ?? [];

function startServer(loginHints: boolean, logger?: Logger) {
  return startTestServer({
    dsn: 'memory',
    ...(logger ? { logger } : {}),
    extraConfig: {
      identity: { default_schema_id: 'handles', schemas: [{ id: 'handles', url: HANDLES_SCHEMA_URL }] },
      selfservice: {
        default_browser_return_url: 'http://app.example.test/welcome',
        methods: { password: { config: { haveibeenpwned_enabled: false } } },
        flows: { registration: { style: 'unified', login_hints: loginHints } },
      },
    },
  });
}

function client(server: TestServer) {
  const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
  async function register(traits: Record<string, string>, password = PASSWORD) {
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    return frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: { method: 'password', traits, password },
    });
  }
  async function emails(): Promise<unknown[]> {
    const { data } = await admin.listIdentities({ perPage: 500 });
    return data.map((identity) => (identity.traits as { email?: unknown }).email);
  }
  return { admin, register, emails };
}

describe('registration identifiers with login_hints: true', () => {
  let server: TestServer;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await startServer(true);
    api = client(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses a password with no login identifier (4000009) and creates nobody', async () => {
    const refused = await failure<RegistrationFlow>(api.register({ email: 'erin@example.com' }));
    expect(refused.status).toBe(400);
    expect(refused.body.ui.messages).toEqual([
      {
        id: 4000009,
        text: 'Could not find any login identifiers. Did you forget to set them? This could also be caused by a server misconfiguration.',
        type: 'error',
      },
    ]);
    expect(await api.emails()).not.toContain('erin@example.com');
  });

  it('refuses a password too similar to any identifier, not only the first (4000031)', async () => {
    const refused = await failure<RegistrationFlow>(
      api.register(
        { email: 'frank@example.com', username: 'frankly', nick: 'zedthetester99' },
        'zedthetester99',
      ),
    );
    expect(refused.status).toBe(400);
    expect(passwordMessages(refused.body.ui.nodes).map((m) => m.id)).toEqual([4000031]);
    expect(await api.emails()).not.toContain('frank@example.com');

    const first = await failure<RegistrationFlow>(
      api.register({ email: 'gina@example.com', username: 'ginaginagina', nick: 'gx' }, 'ginaginagina'),
    );
    expect(passwordMessages(first.body.ui.nodes).map((m) => m.id)).toEqual([4000031]);
  });

  it('says how the account holding a taken identifier signs in (4000028)', async () => {
    expect((await api.register({ email: 'alice@example.com', username: 'alice' })).status).toBe(200);
    const refused = await failure<RegistrationFlow>(
      api.register({ email: 'other@example.com', username: 'alice' }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.ui.messages).toEqual([
      {
        id: 4000028,
        text: 'You tried signing in with alice which is already in use by another account. You can sign in using your password.',
        type: 'error',
        context: {
          available_credential_types: ['password'],
          available_oidc_providers: [],
          credential_identifier_hint: 'alice',
        },
      },
    ]);
  });

  it('offers no password for an account that has none, only the identifier', async () => {
    await api.admin.createIdentity({
      createIdentityBody: { schema_id: 'handles', traits: { email: 'bob@example.com', username: 'bob' } },
    });
    const refused = await failure<RegistrationFlow>(
      api.register({ email: 'bob2@example.com', username: 'bob' }),
    );
    expect(refused.body.ui.messages).toEqual([
      {
        id: 4000028,
        text: 'You tried signing in with bob which is already in use by another account.',
        type: 'error',
        context: {
          available_credential_types: [],
          available_oidc_providers: [],
          credential_identifier_hint: 'bob',
        },
      },
    ]);
  });
});

describe('registration identifiers with login_hints off (the default)', () => {
  let server: TestServer;
  let api: ReturnType<typeof client>;
  const logs = captureLogs('warn');

  beforeAll(async () => {
    server = await startServer(false, logs.logger);
    api = client(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('only says the identifier is taken (4000007)', async () => {
    expect((await api.register({ email: 'carol@example.com', username: 'carol' })).status).toBe(200);
    const refused = await failure<RegistrationFlow>(
      api.register({ email: 'carol2@example.com', username: 'carol' }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.ui.messages?.map((m) => m.id)).toEqual([4000007]);
    // Answered once: the form, not also the 409 it stands for (Fastify logs an error for a
    // handler that fails after its reply was sent).
    expect(logs.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });
});
