/**
 * An admin-issued recovery code is its own proof (no CSRF token, as Kratos), but not from
 * another site: a page that auto-submits a code issued for the attacker's own account (an
 * invitation) must not sign a visitor's browser into that account (login CSRF).
 */
import { describe, expect, it } from 'vitest';
import { BrowserClient } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { examTraits } from './support/identities.js';
import { useTestServer } from './support/suite-server.js';

describe.each(testDatabases())('admin-issued recovery codes posted from another site ($name)', (database) => {
  const t = useTestServer(database, {
    extraConfig: {
      // Nothing is mailed here: the admin API hands out the codes.
      courier: { smtp: { connection_uri: 'smtp://127.0.0.1:9/' } },
      selfservice: {
        default_browser_return_url: 'http://app.example.test/welcome',
        flows: { recovery: { enabled: true, use: 'code' } },
      },
    },
  });

  /** A code for a fresh identity, on a flow of `flowType`. */
  async function issued(
    email: string,
    flowType: 'browser' | 'api',
  ): Promise<{ flowId: string; code: string }> {
    const { data: identity } = await t.admin.createIdentity({
      createIdentityBody: { schema_id: 'exam', traits: examTraits(email) },
    });
    const response = await fetch(`${t.server.adminUrl}/admin/recovery/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity_id: identity.id, flow_type: flowType }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { recovery_link: string; recovery_code: string };
    return { flowId: new URL(body.recovery_link).searchParams.get('flow') ?? '', code: body.recovery_code };
  }

  /** What a browser sends for a form on `site` that posts to the recovery endpoint. */
  function formPost(browser: BrowserClient, flowId: string, code: string, site: string, origin?: string) {
    return browser.request(`/self-service/recovery?flow=${flowId}`, {
      method: 'POST',
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': site,
        ...(origin === undefined ? {} : { origin }),
      },
      body: new URLSearchParams({ method: 'code', code }).toString(),
    });
  }

  it.each(['browser', 'api'] as const)(
    'refuses a cross-site form post of a %s flow code, and signs nobody in',
    async (flowType) => {
      const { flowId, code } = await issued(`cross-site-${flowType}@example.test`, flowType);
      const victim = new BrowserClient(t.server.publicUrl);
      const answer = await formPost(victim, flowId, code, 'cross-site', 'https://evil.example');
      // Refused: the browser is sent to the error page, not on to settings with a session.
      expect(answer.status).toBe(303);
      expect(new URL(answer.headers.get('location') ?? '').pathname).toBe('/ui/error');
      expect((await victim.getJson('/sessions/whoami')).status).toBe(401);
    },
  );

  it('takes the code typed into the UI (same-origin), without a CSRF token, as Kratos', async () => {
    const { flowId, code } = await issued('same-origin@example.test', 'browser');
    const person = new BrowserClient(t.server.publicUrl);
    const answer = await formPost(person, flowId, code, 'same-origin', t.server.publicUrl);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toMatch(/\/ui\/settings\?flow=/);
    expect((await person.getJson('/sessions/whoami')).status).toBe(200);
  });
});
