import { describe, expect, it } from 'vitest';
import { BrowserClient } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { examTraits } from './support/identities.js';
import { useTestServer } from './support/suite-server.js';

const DISABLED = 'Recovery is not allowed because it was disabled.';

describe.each(testDatabases())('admin recovery with self-service recovery off ($name)', (database) => {
  const t = useTestServer(database, {
    extraConfig: {
      selfservice: {
        default_browser_return_url: 'http://app.example.test/welcome',
        // Kratos's defaults but for link: recovery off, the code method on.
        methods: { link: { enabled: true } },
        flows: { recovery: { enabled: false } },
      },
    },
  });

  /** An invited person: an identity the admin created, with no password yet. */
  async function invite(email: string): Promise<string> {
    const { data } = await t.admin.createIdentity({
      createIdentityBody: { schema_id: 'exam', traits: examTraits(email) },
    });
    return data.id;
  }

  function adminPost(path: string, body: unknown): Promise<Response> {
    return fetch(`${t.server.adminUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  it('still refuses to start a self-service flow, as Kratos', async () => {
    for (const init of ['api', 'browser']) {
      const response = await fetch(`${t.server.publicUrl}/self-service/recovery/${init}`, {
        headers: { accept: 'application/json' },
      });
      expect([init, response.status]).toEqual([init, 400]);
      expect(((await response.json()) as { error: { reason: string } }).error.reason).toBe(DISABLED);
    }
  });

  it('issues an invitation link (expires_in as Go reads it) that signs the person in', async () => {
    const id = await invite('invited-link@example.test');
    const started = Date.now();
    const response = await adminPost('/admin/recovery/link', { identity_id: id, expires_in: '1.5h' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { recovery_link: string; expires_at: string };
    const lifespan = Date.parse(body.expires_at) - started;
    expect(lifespan).toBeGreaterThan(89 * 60_000);
    expect(lifespan).toBeLessThan(91 * 60_000);

    const browser = new BrowserClient(t.server.publicUrl);
    const followed = await browser.request(body.recovery_link, { headers: { accept: 'text/html' } });
    expect(followed.status).toBe(303);
    expect(String(followed.headers.get('location'))).toMatch(/\/ui\/settings\?flow=/);
    const whoami = await browser.getJson('/sessions/whoami');
    expect(whoami.status).toBe(200);
    expect(((await whoami.json()) as { identity: { id: string } }).identity.id).toBe(id);
  });

  it('issues a code whose recovery_link is the recovery UI; a fresh browser redeems it without a CSRF cookie', async () => {
    const id = await invite('invited-code@example.test');
    const response = await adminPost('/admin/recovery/code', {
      identity_id: id,
      flow_type: 'browser',
      expires_in: '90m',
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { recovery_link: string; recovery_code: string };
    // As Kratos: `<recovery ui_url>?flow=<id>`, the page that takes the code.
    const link = new URL(body.recovery_link);
    expect(`${link.origin}${link.pathname}`).toBe(`${t.server.publicUrl}/ui/recovery`);
    const flowId = link.searchParams.get('flow') ?? '';

    // The built-in UI shows the invitation's page although self-service recovery is off; a
    // self-started recovery page stays off.
    const page = await new BrowserClient(t.server.publicUrl).request(body.recovery_link);
    expect(page.status).toBe(200);
    expect(
      (await new BrowserClient(t.server.publicUrl).request(`${t.server.publicUrl}/ui/recovery`)).status,
    ).toBe(404);

    // A browser that never went through the public API: no CSRF cookie, the form's token empty.
    const fetched = await new BrowserClient(t.server.publicUrl).getJson(
      `/self-service/recovery/flows?id=${flowId}`,
    );
    expect(fetched.status).toBe(200);
    const spa = new BrowserClient(t.server.publicUrl);
    const done = await spa.postJson(`/self-service/recovery?flow=${flowId}`, {
      method: 'code',
      code: body.recovery_code,
      csrf_token: '',
    });
    expect(done.status).toBe(422);
    expect(((await done.json()) as { redirect_browser_to: string }).redirect_browser_to).toMatch(
      /\/ui\/settings\?flow=/,
    );
    expect((await spa.getJson('/sessions/whoami')).status).toBe(200);
  });

  it('issues a code for a native flow, redeemed with any client', async () => {
    const id = await invite('invited-native@example.test');
    const response = await adminPost('/admin/recovery/code', { identity_id: id, flow_type: 'api' });
    const body = (await response.json()) as { recovery_link: string; recovery_code: string };
    const flowId = new URL(body.recovery_link).searchParams.get('flow') ?? '';
    const done = await fetch(`${t.server.publicUrl}/self-service/recovery?flow=${flowId}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'code', code: body.recovery_code }),
    });
    expect(done.status).toBe(200);
    const recovered = (await done.json()) as { state: string; continue_with: { action: string }[] };
    expect(recovered.state).toBe('passed_challenge');
    expect(recovered.continue_with.map((c) => c.action)).toEqual([
      'set_ory_session_token',
      'show_settings_ui',
    ]);
  });

  it("answers expires_in that Go cannot read, or not in the future, with Kratos's 400s", async () => {
    const id = await invite('invited-bad@example.test');
    const unreadable = await adminPost('/admin/recovery/code', { identity_id: id, expires_in: '1 day' });
    expect(unreadable.status).toBe(400);
    expect(((await unreadable.json()) as { error: { reason: string } }).error.reason).toBe(
      'Unable to parse "expires_in" whose format should match "[0-9]+(ns|us|ms|s|m|h)" but did not: 1 day',
    );
    const past = await adminPost('/admin/recovery/link', { identity_id: id, expires_in: '-1h' });
    expect(past.status).toBe(400);
    expect(((await past.json()) as { error: { reason: string } }).error.reason).toBe(
      'Value from "expires_in" must result to a future time: -1h',
    );
  });
});

describe('admin recovery links with the link method off (its default)', () => {
  const t = useTestServer(undefined, {
    extraConfig: {
      // Required with recovery on; nothing is delivered in this test.
      courier: { smtp: { connection_uri: 'smtp://127.0.0.1:9/' } },
      selfservice: {
        default_browser_return_url: 'http://app.example.test/welcome',
        flows: { recovery: { enabled: true } },
      },
    },
  });

  it('answers 404 for a link, as Kratos, and still issues codes', async () => {
    const { data: identity } = await t.admin.createIdentity({
      createIdentityBody: { schema_id: 'exam', traits: examTraits('link-off@example.com') },
    });
    const post = (path: string) =>
      fetch(`${t.server.adminUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identity_id: identity.id }),
      });
    const link = await post('/admin/recovery/link');
    expect(link.status).toBe(404);
    expect(((await link.json()) as { error: { reason: string } }).error.reason).toMatch(
      /disabled by system administrator/,
    );
    expect((await post('/admin/recovery/code')).status).toBe(201);
  });
});
