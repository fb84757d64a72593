/**
 * Native apps sign in with a provider's ID token (Kratos's `id_token` + `id_token_nonce`
 * submission) against a real Portcullis. The provider is the minimal one on loopback of
 * fixtures/oidc-key-issuer.ts (discovery and its keys); the test signs the tokens a provider would
 * hand the app.
 */
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idTokenProviderConfig, type KeyIssuer, startKeyIssuer } from './fixtures/oidc-key-issuer.js';
import { testDatabases } from './support/databases.js';
import { startTestServer, type TestServer } from './support/server.js';

const CLIENT_ID = 'native-app';

describe.each(testDatabases())('native sign-in with an ID token ($name)', (database) => {
  let server: TestServer;
  let keys: KeyIssuer;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    keys = await startKeyIssuer(CLIENT_ID);
    const db = await database.create();
    drop = db.drop;
    server = await startTestServer({
      dsn: db.dsn,
      extraConfig: {
        selfservice: {
          default_browser_return_url: 'http://127.0.0.1/',
          flows: { registration: { after: { oidc: { hooks: [{ hook: 'session' }] } } } },
          methods: {
            oidc: {
              enabled: true,
              config: {
                providers: [
                  idTokenProviderConfig(keys),
                  // Google's preset (issuer moved to the local one): its SDKs may omit the nonce.
                  idTokenProviderConfig(keys, 'google-like', 'google'),
                ],
              },
            },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await keys?.close();
    await drop?.();
  });

  async function submit(
    kind: 'login' | 'registration',
    body: Record<string, unknown>,
    provider = 'native-idp',
  ) {
    const flow = (await (await fetch(`${server.publicUrl}/self-service/${kind}/api`)).json()) as {
      id: string;
    };
    const response = await fetch(`${server.publicUrl}/self-service/${kind}?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'oidc', provider, ...body }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  function person(sub: string): JWTPayload {
    return {
      sub,
      email: `${sub}@example.com`,
      email_verified: true,
      name: sub,
      phone_number: '5550100',
    };
  }

  it('signs up with an ID token and its nonce, then signs in with another one', async () => {
    const sub = `native-${randomUUID()}`;
    const nonce = randomUUID();
    const up = await submit('registration', {
      id_token: await keys.sign({ ...person(sub), nonce }),
      id_token_nonce: nonce,
    });
    expect(up.status).toBe(200);
    expect(typeof up.body.session_token).toBe('string');
    const identity = up.body.identity as { id: string; traits: Record<string, unknown> };
    expect(identity.traits.email).toBe(`${sub}@example.com`);

    const again = randomUUID();
    const inAgain = await submit('login', {
      id_token: await keys.sign({ ...person(sub), nonce: again }),
      id_token_nonce: again,
    });
    expect(inAgain.status).toBe(200);
    expect((inAgain.body.session as { identity: { id: string } }).identity.id).toBe(identity.id);
  });

  it("takes a token without a nonce from Google's preset, as Kratos (its SDKs may not set one), and checks one it carries", async () => {
    const sub = `google-${randomUUID()}`;
    const noNonce = await submit('registration', { id_token: await keys.sign(person(sub)) }, 'google-like');
    expect(noNonce.status).toBe(200);
    const nonce = randomUUID();
    const wrong = await submit(
      'login',
      { id_token: await keys.sign({ ...person(sub), nonce }), id_token_nonce: 'another' },
      'google-like',
    );
    expect(wrong.status).not.toBe(200);
  });

  it('refuses a wrong or missing nonce, another audience, another issuer and an expired token', async () => {
    const sub = `native-${randomUUID()}`;
    const nonce = randomUUID();
    const cases: [string, Record<string, unknown>][] = [
      ['wrong nonce', { id_token: await keys.sign({ ...person(sub), nonce }), id_token_nonce: 'another' }],
      ['missing nonce', { id_token: await keys.sign({ ...person(sub), nonce }) }],
      ['no nonce in the token', { id_token: await keys.sign(person(sub)), id_token_nonce: nonce }],
      [
        'another audience',
        {
          id_token: await keys.sign({ ...person(sub), nonce }, { audience: 'someone-else' }),
          id_token_nonce: nonce,
        },
      ],
      [
        'another issuer',
        {
          id_token: await keys.sign({ ...person(sub), nonce }, { issuer: 'https://evil.example' }),
          id_token_nonce: nonce,
        },
      ],
      [
        'expired',
        { id_token: await keys.sign({ ...person(sub), nonce }, { expiresIn: '-1m' }), id_token_nonce: nonce },
      ],
      ['not a token', { id_token: 'garbage', id_token_nonce: nonce }],
    ];
    for (const [name, body] of cases) {
      const answer = await submit('registration', body);
      expect(answer.status, name).toBe(400);
      const messages = (answer.body.ui as { messages?: { id: number }[] }).messages ?? [];
      expect(
        messages.map((m) => m.id),
        name,
      ).toEqual([4000001]);
    }
    // Nothing was created.
    const listed = await fetch(
      `${server.adminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(`${sub}@example.com`)}`,
    );
    expect(await listed.json()).toEqual([]);
  });

  it('tells a native app without an ID token to use one', async () => {
    const answer = await submit('login', {});
    expect(answer.status).toBe(400);
  });
});
