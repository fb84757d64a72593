/**
 * The built-in UI's provider buttons in real Chromium (JavaScript off, the pages' CSP enforced):
 * the login page shows "Sign in with Exam IdP"; pressing it goes through the provider's own
 * sign-in pages (oidc-provider on loopback) and back, and the person lands signed in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examIdpConfig, startExamIdp } from '../fixtures/oidc-exam-idp.js';
import type { TestOpenIdProvider } from '../fixtures/oidc-provider.js';
import { clearScreenshots, screenshot, useChromium } from '../support/chromium.js';
import { EXAM_SCHEMA_URL, startTestServer, type TestServer } from '../support/server.js';

describe('provider buttons in the built-in UI', () => {
  const chrome = useChromium({ javaScriptEnabled: false });
  let server: TestServer;
  let provider: TestOpenIdProvider;
  let publicUrl: string;

  beforeAll(async () => {
    await clearScreenshots('oidc-');
    const idp = await startExamIdp();
    ({ provider, publicUrl } = idp);
    provider.accounts.set('grace', {
      email: 'grace@example.com',
      email_verified: true,
      name: 'Grace Hopper',
      phone_number: '5550199',
    });
    server = await startTestServer({
      dsn: 'memory',
      dev: true,
      publicListener: { port: idp.port, base_url: `${publicUrl}/` },
      extraConfig: {
        identity: { default_schema_id: 'exam', schemas: [{ id: 'exam', url: EXAM_SCHEMA_URL }] },
        selfservice: {
          flows: { registration: { after: { oidc: { hooks: [{ hook: 'session' }] } } } },
          methods: {
            password: { config: { haveibeenpwned_enabled: false } },
            oidc: {
              enabled: true,
              config: {
                providers: [examIdpConfig(provider, { label: 'Exam IdP' })],
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
  });

  it('shows "Sign in with Exam IdP" and signs the person up and in through the provider', async () => {
    const page = chrome.page();
    await page.goto(`${publicUrl}/ui/login`);
    const button = page.getByRole('button', { name: 'Sign in with Exam IdP' });
    await expect(button.isVisible()).resolves.toBe(true);
    await screenshot(page, 'oidc-01-login');

    await button.click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator('input[name="login"]').fill('grace');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    // The provider's consent page, then back to Portcullis.
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((url) => url.origin === publicUrl);
    await screenshot(page, 'oidc-02-back');

    const whoami = await page.request.get(`${publicUrl}/sessions/whoami`);
    expect(whoami.status()).toBe(200);
    const session = (await whoami.json()) as { identity: { traits: { email: string } } };
    expect(session.identity.traits.email).toBe('grace@example.com');
    // Our pages broke nothing (the provider's development pages load resources it does not serve).
    expect(chrome.problems().filter((p) => !p.includes(provider.issuer))).toEqual([]);
  });

  it('sends a forged callback to the error page, which shows what the server said', async () => {
    const page = chrome.page();
    await page.goto(`${publicUrl}/self-service/methods/oidc/callback/exam-idp?code=abc&state=forged`);
    await page.waitForURL((url) => url.pathname === '/ui/error' && url.searchParams.has('id'));
    await expect(page.locator('#error-status').textContent()).resolves.toBe('400 Bad Request');
    await expect(page.locator('#error-reason').textContent()).resolves.toBe(
      'The state parameter is unknown or was used already.',
    );
    await screenshot(page, 'oidc-03-forged-state');
    expect(chrome.problems()).toEqual([]);
  });
});
