import {
  Configuration,
  FrontendApi,
  type SettingsFlow,
  type UiNode,
  type UpdateSettingsFlowBody,
} from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../src/identity/model.js';
import { appSelfService } from './support/app-self-service.js';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { postSpaLogin } from './support/browser-login.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { startTestServer, type TestServer } from './support/server.js';
import { ageSessions } from './support/sessions.js';

type ErrorBody = { error: { id?: string; code: number }; redirect_browser_to?: string; use_flow_id?: string };

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a completely different passphrase';

const traits = (email: string, extra: Record<string, unknown> = {}) => ({
  email,
  fullname: 'Katherine Johnson',
  phone_number: 5550100,
  user_type: 'educator',
  ...extra,
});

const attributesOf = (nodes: UiNode[], name: string) =>
  nodes.map((n) => n.attributes as { name?: string; value?: unknown }).find((a) => a.name === name);
const messagesOf = (nodes: UiNode[], name: string) =>
  nodes.find((n) => (n.attributes as { name?: string }).name === name)?.messages.map((m) => m.id) ?? [];

describe.each(testDatabases())('settings flow ($name)', (database) => {
  let app: TestServer;
  let frontend: FrontendApi;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    app = await startTestServer({
      dsn: db.dsn,
      extraConfig: {
        // Verification needs a courier; no worker runs here, so messages stay queued for the test to read.
        courier: { smtp: { connection_uri: 'smtp://127.0.0.1:25/' } },
        selfservice: appSelfService({
          settings: {
            privileged_session_max_age: '15m',
            after: { password: { hooks: [{ hook: 'revoke_active_sessions' }] } },
          },
          // The real verification sender: a changed email queues a message in the outbox.
          verification: { enabled: true, use: 'code' },
        }),
      },
    });
    frontend = new FrontendApi(new Configuration({ basePath: app.publicUrl }));
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  function createIdentity(email: string): Promise<Identity> {
    return app.registry.identities.create({
      schema_id: 'exam',
      traits: traits(email),
      credentials: { password: { config: { password: PASSWORD } } },
    });
  }

  async function signIn(email: string, password = PASSWORD): Promise<string> {
    const { data: flow } = await frontend.createNativeLoginFlow();
    const { data } = await frontend.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: 'password', identifier: email, password },
    });
    return data.session_token ?? '';
  }

  function update(token: string, flow: SettingsFlow, body: UpdateSettingsFlowBody) {
    return frontend.updateSettingsFlow({ flow: flow.id, xSessionToken: token, updateSettingsFlowBody: body });
  }

  describe('native apps with @ory/client', () => {
    it("opens a flow with the identity's traits and a new-password form", async () => {
      const identity = await createIdentity('native-open@example.com');
      const token = await signIn('native-open@example.com');
      const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });
      expect(flow.type).toBe('api');
      expect(flow.state).toBe('show_form');
      expect(flow.identity.id).toBe(identity.id);
      expect(flow.identity).not.toHaveProperty('credentials');
      expect(flow.ui.action).toBe(`${app.publicUrl}/self-service/settings?flow=${flow.id}`);
      expect(attributesOf(flow.ui.nodes, 'traits.email')?.value).toBe('native-open@example.com');
      expect(attributesOf(flow.ui.nodes, 'csrf_token')).toBeUndefined();
      expect(flow.ui.nodes.map((n) => `${n.group}:${(n.attributes as { name?: string }).name}`)).toEqual([
        'profile:traits.email',
        'profile:traits.fullname',
        'profile:traits.phone_number',
        'profile:traits.user_type',
        'profile:method',
        'password:password',
        'password:method',
      ]);
      const { data: fetched } = await frontend.getSettingsFlow({ id: flow.id, xSessionToken: token });
      expect(fetched.id).toBe(flow.id);
    });

    it('refuses a request without a session with 401 session_inactive', async () => {
      const missing = await failure<ErrorBody>(frontend.createNativeSettingsFlow());
      expect(missing.status).toBe(401);
      expect(missing.body.error.id).toBe('session_inactive');
    });

    it('changes a trait, and the existing session shows it', async () => {
      await createIdentity('native-trait@example.com');
      const token = await signIn('native-trait@example.com');
      const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });
      const { data } = await update(token, flow, {
        method: 'profile',
        traits: traits('native-trait@example.com', { fullname: 'Dorothy Vaughan' }),
      });
      expect(data.state).toBe('success');
      expect(data.active).toBe('profile');
      expect(data.ui.messages?.map((m) => m.id)).toEqual([1050001]);
      expect(data.identity.traits.fullname).toBe('Dorothy Vaughan');
      expect(attributesOf(data.ui.nodes, 'traits.fullname')?.value).toBe('Dorothy Vaughan');
      expect(data.continue_with ?? []).toEqual([]);
      const { data: session } = await frontend.toSession({ xSessionToken: token });
      expect(session.identity?.traits.fullname).toBe('Dorothy Vaughan');
      const { data: stored } = await frontend.getSettingsFlow({ id: flow.id, xSessionToken: token });
      expect(stored.state).toBe('success');
    });

    it('changes the password: the new one signs in, the old one is refused', async () => {
      await createIdentity('native-password@example.com');
      const token = await signIn('native-password@example.com');
      const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });
      const { data } = await update(token, flow, { method: 'password', password: NEW_PASSWORD });
      expect(data.state).toBe('success');
      expect(data.active).toBe('password');

      const { data: login } = await frontend.createNativeLoginFlow();
      const old = await failure<{ ui: { messages: { id: number }[] } }>(
        frontend.updateLoginFlow({
          flow: login.id,
          updateLoginFlowBody: {
            method: 'password',
            identifier: 'native-password@example.com',
            password: PASSWORD,
          },
        }),
      );
      expect(old.status).toBe(400);
      expect(old.body.ui.messages.map((m) => m.id)).toEqual([4000006]);
      expect(await signIn('native-password@example.com', NEW_PASSWORD)).toMatch(/^ory_st_/);
    });

    it('refuses invalid traits and weak passwords with 400 and messages on the fields', async () => {
      await createIdentity('native-invalid@example.com');
      const token = await signIn('native-invalid@example.com');
      const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });
      const bad = await failure<SettingsFlow>(
        update(token, flow, {
          method: 'profile',
          traits: { email: 'native-invalid@example.com', phone_number: 1, user_type: 'admin' },
        }),
      );
      expect(bad.status).toBe(400);
      expect(bad.body.id).toBe(flow.id);
      expect(bad.body.state).toBe('show_form');
      expect(messagesOf(bad.body.ui.nodes, 'traits.fullname')).toEqual([4000002]);
      expect(messagesOf(bad.body.ui.nodes, 'traits.user_type')).toHaveLength(1);
      expect(attributesOf(bad.body.ui.nodes, 'traits.phone_number')?.value).toBe(1);

      const weak = await failure<SettingsFlow>(
        update(token, flow, { method: 'password', password: 'short' }),
      );
      expect(weak.status).toBe(400);
      expect(messagesOf(weak.body.ui.nodes, 'password')).toEqual([4000032]);
      const same = await failure<SettingsFlow>(
        update(token, flow, { method: 'password', password: PASSWORD }),
      );
      expect(messagesOf(same.body.ui.nodes, 'password')).toEqual([4000039]);

      const unknown = await failure<SettingsFlow>(
        update(token, flow, { method: 'totp' } as unknown as UpdateSettingsFlowBody),
      );
      expect(unknown.status).toBe(400);
      expect(unknown.body.ui.messages?.map((m) => m.id)).toEqual([4010004]);
    });

    it('needs a privileged session for the password and the email, not for other traits', async () => {
      const identity = await createIdentity('native-old@example.com');
      const token = await signIn('native-old@example.com');
      const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });
      await ageSessions(app, identity.id);

      const password = await failure<ErrorBody>(
        update(token, flow, { method: 'password', password: NEW_PASSWORD }),
      );
      expect(password.status).toBe(403);
      expect(password.body.error.id).toBe('session_refresh_required');
      const redirect = new URL(password.body.redirect_browser_to ?? '');
      expect(`${redirect.origin}${redirect.pathname}`).toBe(`${app.publicUrl}/self-service/login/browser`);
      expect(redirect.searchParams.get('refresh')).toBe('true');
      expect(redirect.searchParams.get('return_to')).toBe(
        `${app.publicUrl}/self-service/settings?flow=${flow.id}`,
      );

      const email = await failure<ErrorBody>(
        update(token, flow, { method: 'profile', traits: traits('native-new@example.com') }),
      );
      expect(email.status).toBe(403);
      expect(email.body.error.id).toBe('session_refresh_required');

      const { data } = await update(token, flow, {
        method: 'profile',
        traits: traits('native-old@example.com', { fullname: 'Mary Jackson' }),
      });
      expect(data.identity.traits).toEqual(traits('native-old@example.com', { fullname: 'Mary Jackson' }));
      const stored = await app.registry.identities.get(identity.id);
      expect(stored.traits.email).toBe('native-old@example.com');
    });

    it('revoke_active_sessions after a password change ends the other sessions only', async () => {
      await createIdentity('native-revoke@example.com');
      const mine = await signIn('native-revoke@example.com');
      const other = await signIn('native-revoke@example.com');
      const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: mine });
      await update(mine, flow, { method: 'password', password: NEW_PASSWORD });
      expect((await frontend.toSession({ xSessionToken: mine })).status).toBe(200);
      const ended = await failure<ErrorBody>(frontend.toSession({ xSessionToken: other }));
      expect(ended.status).toBe(401);
    });

    it('makes a changed email unverified, keeps a kept one verified, and sends a verification message', async () => {
      const identity = await createIdentity('native-verify@example.com');
      await app.registry.identities.patch(identity.id, [
        {
          op: 'replace',
          path: '/verifiable_addresses',
          value: [{ value: 'native-verify@example.com', via: 'email', verified: true, status: 'completed' }],
        },
      ]);
      const token = await signIn('native-verify@example.com');
      const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });

      const { data: kept } = await update(token, flow, {
        method: 'profile',
        traits: traits('native-verify@example.com', { fullname: 'Annie Easley' }),
      });
      expect(kept.identity.verifiable_addresses?.[0]?.verified).toBe(true);
      expect(kept.continue_with ?? []).toEqual([]);

      const { data: changed } = await update(token, flow, {
        method: 'profile',
        traits: traits('native-verified-new@example.com'),
      });
      expect(changed.identity.verifiable_addresses).toEqual([
        expect.objectContaining({
          value: 'native-verified-new@example.com',
          verified: false,
          status: 'pending',
        }),
      ]);
      const queued = await app.registry.courier.listMessages({
        recipient: 'native-verified-new@example.com',
        pageSize: 10,
      });
      expect(queued.messages.map((m) => m.template_type)).toEqual(['verification_code_valid']);
      const show = changed.continue_with?.[0] as { action: string; flow: { id: string } } | undefined;
      expect(changed.continue_with).toEqual([
        {
          action: 'show_verification_ui',
          flow: { id: show?.flow.id, verifiable_address: 'native-verified-new@example.com' },
        },
      ]);
      // The flow it names is the verification flow the message's code belongs to.
      const { data: verification } = await frontend.getVerificationFlow({ id: show?.flow.id ?? '' });
      expect(verification.state).toBe('sent_email');
      expect(await signIn('native-verified-new@example.com')).toMatch(/^ory_st_/);
    });

    it("refuses another identity's email with 4000007, and a submission without a session with 401", async () => {
      await createIdentity('native-taken@example.com');
      await createIdentity('native-taker@example.com');
      const token = await signIn('native-taker@example.com');
      const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });
      const taken = await failure<SettingsFlow>(
        update(token, flow, { method: 'profile', traits: traits('native-taken@example.com') }),
      );
      expect(taken.status).toBe(400);
      expect(taken.body.ui.messages?.map((m) => m.id)).toEqual([4000007]);
      expect(attributesOf(taken.body.ui.nodes, 'traits.email')?.value).toBe('native-taken@example.com');

      const anonymous = await failure<ErrorBody>(
        frontend.updateSettingsFlow({
          flow: flow.id,
          updateSettingsFlowBody: { method: 'profile', traits: traits('native-taker@example.com') },
        }),
      );
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.id).toBe('session_inactive');
    });

    it("keeps one identity's flow from another: 403 to fetch, 400 with the flow and Kratos's message to submit", async () => {
      const owner = await createIdentity('native-owner@example.com');
      const intruder = await createIdentity('native-intruder@example.com');
      const ownerToken = await signIn('native-owner@example.com');
      const intruderToken = await signIn('native-intruder@example.com');
      const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: ownerToken });
      const fetched = await failure<ErrorBody>(
        frontend.getSettingsFlow({ id: flow.id, xSessionToken: intruderToken }),
      );
      expect(fetched.status).toBe(403);
      expect(fetched.body.error.id).toBe('security_identity_mismatch');
      // As Kratos's handler_test "fail to submit form as another user": a method that does not
      // even exist, since the flow's validity is checked first.
      for (const body of [
        { method: 'not-exists' },
        { method: 'profile', traits: traits('native-intruder@example.com') },
      ] as UpdateSettingsFlowBody[]) {
        const submitted = await failure<SettingsFlow>(update(intruderToken, flow, body));
        expect(submitted.status).toBe(400);
        expect(submitted.body.id).toBe(flow.id);
        expect(submitted.body.ui.messages).toEqual([
          {
            id: 4000001,
            text: 'You must restart the flow because the resumable session was initiated by another person.',
            type: 'error',
            context: {
              reason:
                'You must restart the flow because the resumable session was initiated by another person.',
            },
          },
        ]);
        // Nothing of the owner's is shown to the intruder.
        expect(submitted.body.identity.id).toBe(intruder.id);
        expect(JSON.stringify(submitted.body)).not.toContain('native-owner@example.com');
      }
      // The owner's flow and traits are as they were.
      const { data: untouched } = await frontend.getSettingsFlow({ id: flow.id, xSessionToken: ownerToken });
      expect(untouched.ui.messages ?? []).toEqual([]);
      expect((await app.registry.identities.get(owner.id)).traits.email).toBe('native-owner@example.com');
      expect((await app.registry.identities.get(intruder.id)).traits.email).toBe(
        'native-intruder@example.com',
      );
    });

    it('answers a profile submission without traits, or with traits: {}, with the flow and 4000002 (Kratos validates against the profile schema)', async () => {
      const identity = await createIdentity('native-no-traits@example.com');
      const token = await signIn('native-no-traits@example.com');
      const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });
      const missing = await failure<SettingsFlow>(
        update(token, flow, { method: 'profile' } as UpdateSettingsFlowBody),
      );
      expect(missing.status).toBe(400);
      expect(missing.body.id).toBe(flow.id);
      expect(missing.body.state).toBe('show_form');
      const traitsNode = missing.body.ui.nodes.find(
        (n) => (n.attributes as { name?: string }).name === 'traits',
      );
      expect(traitsNode?.group).toBe('default');
      expect(traitsNode?.messages).toEqual([
        { id: 4000002, text: 'Property traits is missing.', type: 'error', context: { property: 'traits' } },
      ]);
      // The form keeps the identity's traits.
      expect(attributesOf(missing.body.ui.nodes, 'traits.email')?.value).toBe('native-no-traits@example.com');

      const empty = await failure<SettingsFlow>(update(token, flow, { method: 'profile', traits: {} }));
      expect(empty.status).toBe(400);
      expect(empty.body.id).toBe(flow.id);
      for (const name of ['traits.email', 'traits.fullname', 'traits.phone_number', 'traits.user_type']) {
        expect(messagesOf(empty.body.ui.nodes, name)).toEqual([4000002]);
      }
      expect((await app.registry.identities.get(identity.id)).traits).toEqual(
        traits('native-no-traits@example.com'),
      );
    });

    it('answers an expired flow with 410 and a fresh flow that says why', async () => {
      await createIdentity('native-expired@example.com');
      const token = await signIn('native-expired@example.com');
      const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });
      await app.registry.database.db
        .updateTable('selfservice_flows')
        .set({ expires_at: new Date(Date.now() - 60_000) })
        .where('id', '=', flow.id)
        .execute();
      // Fetching it says where to start again, as for the other flows and in Kratos.
      const fetched = await failure<{ error: { id: string; details?: { api?: string } } }>(
        frontend.getSettingsFlow({ id: flow.id, xSessionToken: token }),
      );
      expect([fetched.status, fetched.body.error.id]).toEqual([410, 'self_service_flow_expired']);
      expect(fetched.body.error.details?.api).toBe(`${app.publicUrl}/self-service/settings/api`);
      const gone = await failure<ErrorBody>(
        update(token, flow, { method: 'profile', traits: traits('native-expired@example.com') }),
      );
      expect(gone.status).toBe(410);
      expect(gone.body.error.id).toBe('self_service_flow_expired');
      const { data: next } = await frontend.getSettingsFlow({
        id: gone.body.use_flow_id ?? '',
        xSessionToken: token,
      });
      expect(next.ui.messages?.map((m) => m.id)).toEqual([4050001]);
    });
  });

  describe('browsers and SPAs', () => {
    async function signInBrowser(email: string): Promise<BrowserClient> {
      const browser = new BrowserClient(app.publicUrl);
      const flow = (await (await browser.getJson('/self-service/login/browser')).json()) as SettingsFlow;
      const response = await postSpaLogin(browser, flow, email, PASSWORD);
      expect(response.status).toBe(200);
      return browser;
    }

    it('sends a browser without a session to the login, and answers an SPA with 401', async () => {
      const browser = new BrowserClient(app.publicUrl);
      const page = await browser.request(
        '/self-service/settings/browser?return_to=http://app.example.test/x',
      );
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe(
        `${app.publicUrl}/self-service/login/browser?return_to=${encodeURIComponent('http://app.example.test/x')}`,
      );
      const spa = await browser.getJson('/self-service/settings/browser');
      expect(spa.status).toBe(401);
      expect(((await spa.json()) as ErrorBody).error.id).toBe('session_inactive');
    });

    it('SPA: opens a flow, saves a trait with the CSRF token, and is told where to go next', async () => {
      await createIdentity('spa-trait@example.com');
      const browser = await signInBrowser('spa-trait@example.com');
      const opened = await browser.getJson('/self-service/settings/browser');
      expect(opened.status).toBe(200);
      const flow = (await opened.json()) as SettingsFlow;
      expect(flow.type).toBe('browser');
      expect(attributesOf(flow.ui.nodes, 'csrf_token')?.value).toEqual(expect.any(String));

      const refused = await browser.postJson(`/self-service/settings?flow=${flow.id}`, {
        method: 'profile',
        traits: traits('spa-trait@example.com', { fullname: 'No Token' }),
      });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as ErrorBody).error.id).toBe('security_csrf_violation');

      const saved = await browser.postJson(`/self-service/settings?flow=${flow.id}`, {
        method: 'profile',
        traits: traits('spa-trait@example.com', { fullname: 'Christine Darden' }),
        csrf_token: csrfTokenOf(flow),
      });
      expect(saved.status).toBe(200);
      const body = (await saved.json()) as SettingsFlow;
      expect(body.state).toBe('success');
      expect(body.identity.traits.fullname).toBe('Christine Darden');
      expect(body.continue_with).toEqual([
        {
          action: 'redirect_browser_to',
          redirect_browser_to: `${app.publicUrl}/ui/settings?flow=${flow.id}`,
        },
      ]);
      const whoami = await browser.getJson('/sessions/whoami');
      expect(
        ((await whoami.json()) as { identity: { traits: { fullname: string } } }).identity.traits.fullname,
      ).toBe('Christine Darden');
    });

    it('HTML forms: 303 to the UI, then back to return_to once saved', async () => {
      await createIdentity('form-trait@example.com');
      const browser = await signInBrowser('form-trait@example.com');
      const opened = await browser.request(
        '/self-service/settings/browser?return_to=http://app.example.test/done',
      );
      expect(opened.status).toBe(303);
      const location = new URL(opened.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(`${app.publicUrl}/ui/settings`);
      const id = location.searchParams.get('flow') ?? '';
      const flow = (await (
        await browser.getJson(`/self-service/settings/flows?id=${id}`)
      ).json()) as SettingsFlow;
      expect(flow.return_to).toBe('http://app.example.test/done');

      const invalid = await browser.postForm(`/self-service/settings?flow=${id}`, {
        method: 'profile',
        csrf_token: csrfTokenOf(flow),
        'traits.email': 'form-trait@example.com',
        'traits.fullname': 'Gladys West',
        'traits.phone_number': 'not a number',
        'traits.user_type': 'student',
      });
      expect(invalid.status).toBe(303);
      expect(invalid.headers.get('location')).toBe(`${app.publicUrl}/ui/settings?flow=${id}`);

      const saved = await browser.postForm(`/self-service/settings?flow=${id}`, {
        method: 'profile',
        csrf_token: csrfTokenOf(flow),
        'traits.email': 'form-trait@example.com',
        'traits.fullname': 'Gladys West',
        'traits.phone_number': '5550199',
        'traits.user_type': 'student',
      });
      expect(saved.status).toBe(303);
      expect(saved.headers.get('location')).toBe('http://app.example.test/done');
      const stored = (await (await browser.getJson('/sessions/whoami')).json()) as {
        identity: { traits: Record<string, unknown> };
      };
      expect(stored.identity.traits).toEqual(
        traits('form-trait@example.com', {
          fullname: 'Gladys West',
          phone_number: 5550199,
          user_type: 'student',
        }),
      );
    });

    it('SPA: an old session re-authenticates, and the paused password change is applied on the way back', async () => {
      const identity = await createIdentity('spa-refresh@example.com');
      const browser = await signInBrowser('spa-refresh@example.com');
      const flow = (await (await browser.getJson('/self-service/settings/browser')).json()) as SettingsFlow;
      await ageSessions(app, identity.id);

      const refused = await browser.postJson(`/self-service/settings?flow=${flow.id}`, {
        method: 'password',
        password: NEW_PASSWORD,
        csrf_token: csrfTokenOf(flow),
      });
      expect(refused.status).toBe(403);
      const error = (await refused.json()) as ErrorBody;
      expect(error.error.id).toBe('session_refresh_required');

      // The browser follows redirect_browser_to: a refreshing login that returns to the flow.
      const login = (await (await browser.getJson(error.redirect_browser_to ?? '')).json()) as {
        id: string;
        refresh: boolean;
        return_to: string;
        ui: SettingsFlow['ui'];
      };
      expect(login.refresh).toBe(true);
      const signedIn = await postSpaLogin(browser, login, 'spa-refresh@example.com', PASSWORD);
      const next = (await signedIn.json()) as { continue_with: { redirect_browser_to: string }[] };
      // Opening it applies the change paused at the 403 (Kratos's settings continuity), and the
      // settings UI shows the saved flow (see settings-reauth-continuity.acceptance.test.ts).
      const back = await browser.request(next.continue_with[0]?.redirect_browser_to ?? '');
      expect(back.status).toBe(303);
      expect(back.headers.get('location')).toBe(`${app.publicUrl}/ui/settings?flow=${flow.id}`);
      expect(await signIn('spa-refresh@example.com', NEW_PASSWORD)).toMatch(/^ory_st_/);
    });

    it("SPA and HTML forms: another identity's flow answers Kratos's message, the form goes back to the UI", async () => {
      await createIdentity('browser-owner@example.com');
      await createIdentity('browser-intruder@example.com');
      const owner = await signInBrowser('browser-owner@example.com');
      const intruder = await signInBrowser('browser-intruder@example.com');
      const flow = (await (await owner.getJson('/self-service/settings/browser')).json()) as SettingsFlow;
      const reason =
        'You must restart the flow because the resumable session was initiated by another person.';

      // The intruder's browser has neither the owner's CSRF cookie nor the flow: the flow's
      // validity is checked first, as in Kratos.
      const spa = await intruder.postJson(`/self-service/settings?flow=${flow.id}`, {
        method: 'not-exists',
        csrf_token: csrfTokenOf(flow),
      });
      expect(spa.status).toBe(400);
      const body = (await spa.json()) as SettingsFlow;
      expect(body.ui.messages?.map((m) => [m.id, m.text])).toEqual([[4000001, reason]]);

      const form = await intruder.postForm(`/self-service/settings?flow=${flow.id}`, {
        method: 'profile',
        csrf_token: csrfTokenOf(flow),
        'traits.email': 'browser-intruder@example.com',
      });
      expect(form.status).toBe(303);
      expect(form.headers.get('location')).toBe(`${app.publicUrl}/ui/settings?flow=${flow.id}`);

      // Kratos's handler_test "type=browser": a cookie-carrying client on a native flow gets the
      // same answer (the api-flow check on cookies comes after the flow's validity).
      const ownerToken = await signIn('browser-owner@example.com');
      const { data: native } = await frontend.createNativeSettingsFlow({ xSessionToken: ownerToken });
      const onNative = await intruder.postJson(`/self-service/settings?flow=${native.id}`, {
        method: 'not-exists',
      });
      expect(onNative.status).toBe(400);
      expect(((await onNative.json()) as SettingsFlow).ui.messages?.map((m) => m.text)).toEqual([reason]);
    });

    it('HTML forms: a profile submission without traits goes back to the UI, the flow saying 4000002', async () => {
      await createIdentity('form-no-traits@example.com');
      const browser = await signInBrowser('form-no-traits@example.com');
      const flow = (await (await browser.getJson('/self-service/settings/browser')).json()) as SettingsFlow;
      const refused = await browser.postForm(`/self-service/settings?flow=${flow.id}`, {
        method: 'profile',
        csrf_token: csrfTokenOf(flow),
      });
      expect(refused.status).toBe(303);
      expect(refused.headers.get('location')).toBe(`${app.publicUrl}/ui/settings?flow=${flow.id}`);
      const shown = (await (
        await browser.getJson(`/self-service/settings/flows?id=${flow.id}`)
      ).json()) as SettingsFlow;
      expect(messagesOf(shown.ui.nodes, 'traits')).toEqual([4000002]);
    });

    it('HTML forms: an old session is redirected to the refreshing login', async () => {
      const identity = await createIdentity('form-refresh@example.com');
      const browser = await signInBrowser('form-refresh@example.com');
      const flow = (await (await browser.getJson('/self-service/settings/browser')).json()) as SettingsFlow;
      await ageSessions(app, identity.id);
      const refused = await browser.postForm(`/self-service/settings?flow=${flow.id}`, {
        method: 'password',
        password: NEW_PASSWORD,
        csrf_token: csrfTokenOf(flow),
      });
      expect(refused.status).toBe(303);
      expect(refused.headers.get('location')).toContain(
        '/self-service/login/browser?refresh=true&return_to=',
      );
    });
  });
});
