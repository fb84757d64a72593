/**
 * A native app's session token exchange started without `return_to`, against a real Portcullis
 * and a real provider on loopback: as Kratos's MaybeRedirectAPICodeFlow, the system browser is
 * sent to the default return URL with the return-to code, and the app trades both codes for its
 * session as usual.
 */
import { Configuration, FrontendApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examIdpConfig, startExamIdp } from './fixtures/oidc-exam-idp.js';
import { signInAtProvider, type TestOpenIdProvider } from './fixtures/oidc-provider.js';
import { BrowserClient } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { startTestServer, type TestServer } from './support/server.js';

const DEFAULT_RETURN = 'http://app.example.test/welcome';

describe.each(testDatabases())('session token exchange without return_to ($name)', (database) => {
  let server: TestServer;
  let provider: TestOpenIdProvider;
  let drop: () => Promise<void>;
  let publicUrl: string;

  beforeAll(async () => {
    const idp = await startExamIdp();
    ({ provider, publicUrl } = idp);
    const db = await database.create();
    drop = db.drop;
    server = await startTestServer({
      dsn: db.dsn,
      redis: true,
      publicListener: { port: idp.port, base_url: `${publicUrl}/` },
      extraConfig: {
        selfservice: {
          default_browser_return_url: DEFAULT_RETURN,
          flows: { registration: { after: { oidc: { hooks: [{ hook: 'session' }] } } } },
          methods: {
            oidc: {
              enabled: true,
              config: {
                providers: [examIdpConfig(provider)],
              },
            },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await provider?.close();
    await drop?.();
  });

  it('sends the system browser to the default return URL with the code, and the app gets its session', async () => {
    provider.accounts.set('no-return-to', {
      email: 'no-return-to@example.com',
      email_verified: true,
      name: 'Noor',
      phone_number: '5550155',
    });
    const frontend = new FrontendApi(new Configuration({ basePath: publicUrl }));
    for (const round of ['sign-up', 'sign-in']) {
      const { data: flow } = await frontend.createNativeLoginFlow({ returnSessionTokenExchangeCode: true });
      const initCode = flow.session_token_exchange_code ?? '';
      expect(initCode, round).not.toBe('');
      const pressed = await failure<{ redirect_browser_to: string }>(
        frontend.updateLoginFlow({
          flow: flow.id,
          updateLoginFlowBody: { method: 'oidc', provider: 'exam-idp' },
        }),
      );
      expect(pressed.status, round).toBe(422);

      const systemBrowser = new BrowserClient(publicUrl);
      const callback = await signInAtProvider(
        systemBrowser,
        pressed.body.redirect_browser_to,
        'no-return-to',
      );
      const landed = await systemBrowser.request(callback.toString());
      expect(landed.status, round).toBe(303);
      const target = new URL(landed.headers.get('location') ?? '');
      expect(`${target.origin}${target.pathname}`, round).toBe(DEFAULT_RETURN);
      const returnToCode = target.searchParams.get('code') ?? '';
      expect(returnToCode, round).not.toBe('');

      const { data: exchanged } = await frontend.exchangeSessionToken({ initCode, returnToCode });
      expect(exchanged.session.identity?.traits.email, round).toBe('no-return-to@example.com');
    }
  });
});
