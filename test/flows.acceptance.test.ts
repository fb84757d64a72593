import { Configuration, FrontendApi, type LoginFlow, type RegistrationFlow, type UiNode } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { startTestServer, type TestServer } from './support/server.js';

const traits = (email: string, extra: Record<string, unknown> = {}) => ({
  email,
  fullname: 'Katherine Johnson',
  phone_number: 5550100,
  user_type: 'educator',
  ...extra,
});

const messagesOf = (nodes: UiNode[], name: string) =>
  nodes.find((n) => (n.attributes as { name?: string }).name === name)?.messages.map((m) => m.id) ?? [];

const PASSWORD = 'correct horse battery staple';

describe.each(testDatabases())('login, registration and logout flows ($name)', (database) => {
  let server: TestServer;
  let frontend: FrontendApi;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    server = await startTestServer({
      dsn: db.dsn,
      redis: true,
      extraConfig: {
        selfservice: {
          default_browser_return_url: 'http://app.example.test/welcome',
          allowed_return_urls: ['http://app.example.test/'],
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
          flows: {
            registration: { style: 'unified', after: { password: { hooks: [{ hook: 'session' }] } } },
            logout: { after: { default_browser_return_url: 'http://app.example.test/signed-out' } },
          },
        },
      },
    });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  async function registerNative(email: string) {
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    return frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: { method: 'password', traits: traits(email), password: PASSWORD },
    });
  }

  describe('native apps with @ory/client', () => {
    it('registers and is signed in by the session hook', async () => {
      const { data: flow } = await frontend.createNativeRegistrationFlow();
      expect(flow.type).toBe('api');
      expect(flow.ui.action).toBe(`${server.publicUrl}/self-service/registration?flow=${flow.id}`);
      expect(flow.ui.nodes.map((n) => (n.attributes as { name?: string }).name)).toEqual(
        expect.arrayContaining(['traits.email', 'traits.fullname', 'traits.user_type', 'password', 'method']),
      );
      expect(flow.ui.nodes.some((n) => (n.attributes as { name?: string }).name === 'csrf_token')).toBe(
        false,
      );

      const { data } = await frontend.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: {
          method: 'password',
          traits: traits('native@example.com'),
          password: PASSWORD,
        },
      });
      expect(data.identity.traits.email).toBe('native@example.com');
      expect(data.session_token).toMatch(/^ory_st_/);
      expect(data.continue_with).toEqual([
        { action: 'set_ory_session_token', ory_session_token: data.session_token },
      ]);
      const { data: session } = await frontend.toSession({ xSessionToken: data.session_token });
      expect(session.identity?.id).toBe(data.identity.id);
    });

    it('returns the flow with field messages for invalid traits and weak passwords', async () => {
      const { data: flow } = await frontend.createNativeRegistrationFlow();
      const bad = await failure<RegistrationFlow>(
        frontend.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: {
            method: 'password',
            traits: { email: 'x@example.com', phone_number: 1, user_type: 'admin' },
            password: 'short',
          },
        }),
      );
      expect(bad.status).toBe(400);
      expect(bad.body.id).toBe(flow.id);
      expect(messagesOf(bad.body.ui.nodes, 'traits.fullname')).toEqual([4000002]);
      expect(messagesOf(bad.body.ui.nodes, 'traits.user_type').length).toBe(1);
      // A missing password is told in the same answer as the traits' errors, as Kratos.
      const both = await failure<RegistrationFlow>(
        frontend.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: {
            method: 'password',
            traits: { email: 'x@example.com', phone_number: 1, user_type: 'student' },
            password: '',
          },
        }),
      );
      expect(messagesOf(both.body.ui.nodes, 'traits.fullname')).toEqual([4000002]);
      expect(messagesOf(both.body.ui.nodes, 'password')).toEqual([4000002]);

      const weak = await failure<RegistrationFlow>(
        frontend.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: {
            method: 'password',
            traits: traits('weak@example.com'),
            password: 'short',
          },
        }),
      );
      expect(messagesOf(weak.body.ui.nodes, 'password')).toEqual([4000032]);
      const common = await failure<RegistrationFlow>(
        frontend.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: {
            method: 'password',
            traits: traits('weak@example.com'),
            password: 'password123',
          },
        }),
      );
      expect(messagesOf(common.body.ui.nodes, 'password')).toEqual([4000034]);
    });

    it('refuses a second account with the same email with message 4000007', async () => {
      await registerNative('twice@example.com');
      const { data: flow } = await frontend.createNativeRegistrationFlow();
      const dup = await failure<RegistrationFlow>(
        frontend.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: {
            method: 'password',
            traits: traits('TWICE@example.com'),
            password: PASSWORD,
          },
        }),
      );
      expect(dup.status).toBe(400);
      expect(dup.body.ui.messages?.map((m) => m.id)).toEqual([4000007]);
    });

    it('signs in with the password, case-insensitively, and refuses wrong ones alike', async () => {
      await registerNative('login@example.com');
      const { data: flow } = await frontend.createNativeLoginFlow();
      const { data } = await frontend.updateLoginFlow({
        flow: flow.id,
        updateLoginFlowBody: { method: 'password', identifier: ' LOGIN@example.com', password: PASSWORD },
      });
      expect(data.session_token).toMatch(/^ory_st_/);
      expect(data.session.identity?.traits.email).toBe('login@example.com');
      // The identity beside the session too, as the registration answer has it (no credentials).
      const { identity } = data as typeof data & { identity?: Record<string, unknown> };
      expect(identity).toEqual(data.session.identity);
      expect(identity).not.toHaveProperty('credentials');

      const { data: again } = await frontend.createNativeLoginFlow();
      const wrong = await failure<LoginFlow>(
        frontend.updateLoginFlow({
          flow: again.id,
          updateLoginFlowBody: {
            method: 'password',
            identifier: 'login@example.com',
            password: 'not the password',
          },
        }),
      );
      const unknown = await failure<LoginFlow>(
        frontend.updateLoginFlow({
          flow: again.id,
          updateLoginFlowBody: {
            method: 'password',
            identifier: 'nobody@example.com',
            password: 'not the password',
          },
        }),
      );
      expect(wrong.status).toBe(400);
      expect(unknown.status).toBe(400);
      expect(wrong.body.ui.messages).toEqual(unknown.body.ui.messages);
      expect(wrong.body.ui.messages?.map((m) => m.id)).toEqual([4000006]);
    });

    it("records the sign-in's device: IP, user agent and Cloudflare's location, empty without it", async () => {
      await registerNative('device@example.com');
      const login = async (headers: Record<string, string>) => {
        const { data: flow } = await frontend.createNativeLoginFlow();
        const { data } = await frontend.updateLoginFlow(
          {
            flow: flow.id,
            updateLoginFlowBody: { method: 'password', identifier: 'device@example.com', password: PASSWORD },
          },
          { headers },
        );
        return data.session.devices?.[0];
      };
      expect(await login({ 'user-agent': 'DeviceTest/1.0' })).toMatchObject({
        user_agent: 'DeviceTest/1.0',
        location: '',
      });
      expect(await login({ 'cf-ipcity': 'Berlin', 'cf-ipcountry': 'DE' })).toMatchObject({
        location: 'Berlin, DE',
      });
    });

    it('tells a disabled account so (4010011) only after the right password', async () => {
      const { data: registered } = await registerNative('disabled@example.com');
      const patched = await fetch(`${server.adminUrl}/admin/identities/${registered.identity?.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ op: 'replace', path: '/state', value: 'inactive' }]),
      });
      expect(patched.status).toBe(200);

      const attempt = async (password: string) => {
        const { data: flow } = await frontend.createNativeLoginFlow();
        return failure<LoginFlow>(
          frontend.updateLoginFlow({
            flow: flow.id,
            updateLoginFlowBody: { method: 'password', identifier: 'disabled@example.com', password },
          }),
        );
      };
      const right = await attempt(PASSWORD);
      expect(right.status).toBe(400);
      expect(right.body.ui.messages).toEqual([
        {
          id: 4010011,
          text: 'This account has been disabled. Please contact support for assistance.',
          type: 'error',
        },
      ]);
      expect((await attempt('not the password')).body.ui.messages?.map((m) => m.id)).toEqual([4000006]);
    });

    it('keeps every answer that carries a token out of caches (Cache-Control: private, no-store)', async () => {
      const registered = await registerNative('uncached@example.com');
      const token = registered.data.session_token ?? '';
      const { data: flow } = await frontend.createNativeLoginFlow();
      const signedIn = await frontend.updateLoginFlow({
        flow: flow.id,
        updateLoginFlowBody: { method: 'password', identifier: 'uncached@example.com', password: PASSWORD },
      });
      const sessions = await fetch(`${server.publicUrl}/sessions`, { headers: { 'x-session-token': token } });
      const adminSession = await fetch(
        `${server.adminUrl}/admin/identities/${registered.data.identity?.id}?include_credential=oidc`,
      );
      const answers: Record<string, unknown> = {
        registration: registered.headers['cache-control'],
        login: signedIn.headers['cache-control'],
        'GET /sessions': sessions.headers.get('cache-control'),
        'admin identity': adminSession.headers.get('cache-control'),
      };
      for (const [what, cacheControl] of Object.entries(answers)) {
        expect(cacheControl, what).toBe('private, no-store');
      }
    });

    it('answers session_already_available when a session is sent', async () => {
      const { data } = await registerNative('already@example.com');
      const error = await failure<{ error: { id: string } }>(
        frontend.createNativeLoginFlow({ xSessionToken: data.session_token }),
      );
      expect(error.status).toBe(400);
      expect(error.body.error.id).toBe('session_already_available');
      const registration = await fetch(`${server.publicUrl}/self-service/registration/api`, {
        headers: { 'x-session-token': data.session_token ?? '' },
      });
      expect(registration.status).toBe(400);
      expect(((await registration.json()) as { error: object }).error).toMatchObject({
        id: 'session_already_available',
        reason: 'A valid session was detected and thus registration is not possible.',
      });
    });

    it('refuses browser traits (Origin) on a native flow', async () => {
      const { data: flow } = await frontend.createNativeLoginFlow();
      const response = await fetch(`${server.publicUrl}/self-service/login?flow=${flow.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
        body: JSON.stringify({ method: 'password', identifier: 'a@example.com', password: 'x' }),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { reason: string } }).error.reason).toMatch(
        /^The HTTP Request Header included the "Origin" key/,
      );
      const post = (cookie: string) =>
        fetch(`${server.publicUrl}/self-service/login?flow=${flow.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ method: 'password', identifier: 'a@example.com', password: 'x' }),
        });
      // `Cookie: x` is a cookie named x with no value, as Go's r.Cookies() parses it.
      for (const cookie of ['ory_kratos_session=abc', 'x']) {
        const withCookie = await post(cookie);
        expect([cookie, withCookie.status]).toEqual([cookie, 400]);
        expect(((await withCookie.json()) as { error: { reason: string } }).error.reason).toMatch(
          /"Cookie" key/,
        );
      }
      // A Cookie header naming no cookie carries no browser state (Kratos counts parsed cookies): the
      // submission goes on to the password check.
      const empty = await post(';');
      expect(((await empty.json()) as LoginFlow).ui.messages?.map((m) => m.id)).toEqual([4000006]);
    });

    it('answers a missing or unknown method with the flow and 4010002 / 4010003, as Kratos', async () => {
      const { data: login } = await frontend.createNativeLoginFlow();
      const submit = (body: Record<string, string>) =>
        fetch(`${server.publicUrl}/self-service/login?flow=${login.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      // A first submission leaves an error on the identifier field...
      const missing = (await (await submit({ method: 'password', password: 'x' })).json()) as LoginFlow;
      const identifierMessages = (flow: LoginFlow) =>
        flow.ui.nodes.find((n) => (n.attributes as { name?: string }).name === 'identifier')?.messages ?? [];
      expect(identifierMessages(missing).map((m) => m.id)).toEqual([4000002]);
      const noMethod = await submit({ identifier: 'a@example.com', password: 'x' });
      expect(noMethod.status).toBe(400);
      const shown = (await noMethod.json()) as LoginFlow;
      expect(shown.id).toBe(login.id);
      expect(shown.ui.messages?.map((m) => m.id)).toEqual([4010002]);
      // ...which the next error clears, as Kratos resets every message before writing one.
      expect(identifierMessages(shown)).toEqual([]);
      const { data: registration } = await frontend.createNativeRegistrationFlow();
      const unknown = await fetch(`${server.publicUrl}/self-service/registration?flow=${registration.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'webauthn', traits: traits('method@example.com') }),
      });
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as RegistrationFlow).ui.messages?.map((m) => m.id)).toEqual([4010003]);
    });

    it('answers a missing or malformed ?flow= with 400, and an unknown one with 404', async () => {
      const post = (query: string) =>
        fetch(`${server.publicUrl}/self-service/login${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ method: 'password', identifier: 'a@example.com', password: 'x' }),
        });
      for (const query of ['', '?flow=', '?flow=not-a-uuid']) {
        const response = await post(query);
        expect(response.status, query).toBe(400);
        expect(await response.json()).toMatchObject({
          error: { reason: 'The flow query parameter is missing or malformed.' },
        });
      }
      expect((await post('?flow=00000000-0000-4000-8000-000000000000')).status).toBe(404);
      // A repeated parameter counts by its first value, as Go's Query().Get reads it for Kratos.
      const { data: flow } = await frontend.createNativeLoginFlow();
      const twice = await post(`?flow=${flow.id}&flow=${flow.id}`);
      expect(((await twice.json()) as LoginFlow).ui.messages?.map((m) => m.id)).toEqual([4000006]);
      const fetched = await fetch(`${server.publicUrl}/self-service/login/flows?id=${flow.id}&id=other`);
      expect(fetched.status).toBe(200);
    });

    it('answers an expired flow with 410 and a fresh flow to use', async () => {
      const { data: flow } = await frontend.createNativeLoginFlow();
      await server.registry.database.db
        .updateTable('selfservice_flows')
        .set({ expires_at: new Date(Date.now() - 60_000) })
        .where('id', '=', flow.id)
        .execute();
      const gone = await failure<{ error: { id: string }; use_flow_id: string }>(
        frontend.updateLoginFlow({
          flow: flow.id,
          updateLoginFlowBody: { method: 'password', identifier: 'a@example.com', password: 'x' },
        }),
      );
      expect(gone.status).toBe(410);
      expect(gone.body.error.id).toBe('self_service_flow_expired');
      const { data: next } = await frontend.getLoginFlow({ id: gone.body.use_flow_id });
      expect(next.id).toBe(gone.body.use_flow_id);
      // The new flow says why the person is on it, as Kratos's.
      expect(next.ui.messages?.map((m) => m.id)).toEqual([4010001]);
      expect(next.ui.messages?.[0]?.text).toMatch(
        /^The login flow expired \d+\.\d\d minutes ago, please try again\.$/,
      );
    });

    it('throttles repeated failures on one account with 429 and Retry-After', async () => {
      await registerNative('target@example.com');
      let last = 0;
      let retryAfter: string | null = null;
      for (let i = 0; i < 12 && last !== 429; i++) {
        const { data: flow } = await frontend.createNativeLoginFlow();
        const response = await fetch(`${server.publicUrl}/self-service/login?flow=${flow.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            method: 'password',
            identifier: 'target@example.com',
            password: `guess ${i}`,
          }),
        });
        last = response.status;
        retryAfter = response.headers.get('retry-after');
      }
      expect(last).toBe(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      // Another account is not locked out.
      await registerNative('bystander@example.com');
      const { data: flow } = await frontend.createNativeLoginFlow();
      const { status } = await frontend.updateLoginFlow({
        flow: flow.id,
        updateLoginFlowBody: { method: 'password', identifier: 'bystander@example.com', password: PASSWORD },
      });
      expect(status).toBe(200);
    });

    it('checks aal and refresh at init as Kratos: a bad aal is 400, aal2 needs a session, refresh one', async () => {
      const init = (query: string, token?: string) =>
        fetch(`${server.publicUrl}/self-service/login/api?${query}`, {
          headers: token === undefined ? {} : { 'x-session-token': token },
        });
      const bad = await init('aal=xyz');
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({
        error: { reason: 'Unable to parse AuthenticationMethod Assurance Level (AAL): xyz' },
      });
      const stepUp = await init('aal=aal2');
      expect(stepUp.status).toBe(401);
      expect(await stepUp.json()).toMatchObject({ error: { id: 'session_aal1_required', code: 401 } });
      const anonymous = (await (await init('refresh=true')).json()) as LoginFlow;
      expect(anonymous.refresh).toBe(false);
      expect(anonymous.ui.messages ?? []).toEqual([]);
      const { data } = await registerNative('reauth@example.com');
      const refreshing = (await (await init('refresh=true', data.session_token)).json()) as LoginFlow;
      expect(refreshing.refresh).toBe(true);
      expect(refreshing.ui.messages?.map((m) => m.id)).toEqual([1010003]);
    });

    it('refresh re-authenticates the same identity only, keeping the session and its token', async () => {
      const { data: a } = await registerNative('refresh-a@example.com');
      await registerNative('refresh-b@example.com');
      const oldToken = a.session_token ?? '';
      const { data: flow } = await frontend.createNativeLoginFlow({ refresh: true, xSessionToken: oldToken });
      const mismatch = await failure<{ error: { id: string } }>(
        frontend.updateLoginFlow({
          flow: flow.id,
          xSessionToken: oldToken,
          updateLoginFlowBody: {
            method: 'password',
            identifier: 'refresh-b@example.com',
            password: PASSWORD,
          },
        }),
      );
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.error.id).toBe('security_identity_mismatch');
      const { data: refreshed } = await frontend.updateLoginFlow({
        flow: flow.id,
        xSessionToken: oldToken,
        updateLoginFlowBody: { method: 'password', identifier: 'refresh-a@example.com', password: PASSWORD },
      });
      // As Kratos: the same session and token, the method appended, authenticated from now.
      expect(refreshed.session_token).toBe(oldToken);
      expect(refreshed.session.id).toBe(a.session?.id);
      expect(refreshed.session.authentication_methods?.map((m) => m.method)).toEqual([
        'password',
        'password',
      ]);
      expect(new Date(refreshed.session.authenticated_at ?? 0).getTime()).toBeGreaterThanOrEqual(
        new Date(a.session?.authenticated_at ?? 0).getTime(),
      );
      // Each sign-in records its device, the refresh too.
      expect(refreshed.session.devices).toHaveLength(2);
      const { data: whoami } = await frontend.toSession({ xSessionToken: oldToken });
      expect(whoami.authentication_methods).toHaveLength(2);
      expect(whoami.expires_at).toBe(refreshed.session.expires_at);
    });

    it('signs in with an imported bcrypt hash and re-hashes it with argon2id', async () => {
      const admin = await fetch(`${server.adminUrl}/admin/identities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          schema_id: 'exam',
          traits: traits('imported-login@example.com'),
          credentials: {
            password: {
              config: { hashed_password: '$2b$04$rnG2yrtIesqvc5zwEvOaVes22HIXY804XsJamD1u93JKKJ7VltRi.' },
            },
          },
        }),
      });
      const { id } = (await admin.json()) as { id: string };
      const { data: flow } = await frontend.createNativeLoginFlow();
      const { status } = await frontend.updateLoginFlow({
        flow: flow.id,
        updateLoginFlowBody: {
          method: 'password',
          identifier: 'imported-login@example.com',
          password: 'imported passphrase 1',
        },
      });
      expect(status).toBe(200);
      const stored = await server.registry.identityStore.get(id);
      expect(String(stored?.credentials.password?.config.hashed_password)).toMatch(/^\$argon2id\$/);
    });

    it('refuses to complete a flow twice (4010007)', async () => {
      await registerNative('twice-login@example.com');
      const { data: flow } = await frontend.createNativeLoginFlow();
      const body = { method: 'password', identifier: 'twice-login@example.com', password: PASSWORD } as const;
      await frontend.updateLoginFlow({ flow: flow.id, updateLoginFlowBody: body });
      const again = await failure<LoginFlow>(
        frontend.updateLoginFlow({ flow: flow.id, updateLoginFlowBody: body }),
      );
      expect(again.status).toBe(400);
      expect(again.body.ui.messages?.map((m) => m.id)).toEqual([4010007]);
    });

    it('completes a flow once when its submissions race: one session, the others 4010007', async () => {
      await registerNative('racing-login@example.com');
      const { data: flow } = await frontend.createNativeLoginFlow();
      const body = {
        method: 'password',
        identifier: 'racing-login@example.com',
        password: PASSWORD,
      } as const;
      // Fewer than the identifier's free attempts, so brute-force protection lets them all through.
      const answers = await Promise.allSettled(
        [1, 2, 3, 4].map(() => frontend.updateLoginFlow({ flow: flow.id, updateLoginFlowBody: body })),
      );
      const won = answers.filter((a) => a.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const lost = answers.flatMap((a) =>
        a.status === 'rejected'
          ? [(a.reason as { response?: { status: number; data: LoginFlow } }).response]
          : [],
      );
      expect(lost.map((r) => [r?.status, r?.data.ui.messages?.map((m) => m.id)])).toEqual([
        [400, [4010007]],
        [400, [4010007]],
        [400, [4010007]],
      ]);
      // The flow stays completed: the losers' answers did not write it back.
      const later = await failure<LoginFlow>(
        frontend.updateLoginFlow({ flow: flow.id, updateLoginFlowBody: body }),
      );
      expect(later.body.ui.messages?.map((m) => m.id)).toEqual([4010007]);
    });

    it('refuses absurdly nested traits with a 400, not a crash', async () => {
      const { data: flow } = await frontend.createNativeRegistrationFlow();
      // Built as text: 20,000 levels would overflow JSON.stringify's own stack.
      const deep = `${'{"a":'.repeat(20_000)}{}${'}'.repeat(20_000)}`;
      const response = await fetch(`${server.publicUrl}/self-service/registration?flow=${flow.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: `{"method":"password","password":${JSON.stringify(PASSWORD)},"traits":${deep}}`,
      });
      expect(response.status).toBe(400);
    });

    it("lists all of the caller's other sessions across pages", async () => {
      const { data } = await registerNative('paging-sessions@example.com');
      const identity = await server.registry.identityStore.get(data.identity.id);
      if (!identity) throw new Error('missing identity');
      const others: string[] = [];
      for (let i = 0; i < 4; i++) {
        const issued = await server.registry.sessions.issue(identity, {
          methods: [{ method: 'password', aal: 'aal1', completed_at: new Date() }],
          aal: 'aal1',
          device: { ipAddress: null, userAgent: null },
        });
        others.push(issued.session.id);
      }
      const seen: string[] = [];
      let pageToken: string | undefined;
      for (let page = 0; page < 10; page++) {
        const response = await frontend.listMySessions({
          xSessionToken: data.session_token,
          pageSize: 1,
          pageToken,
        });
        seen.push(...response.data.map((s) => s.id));
        const next = /[?&]page_token=([^&>]+)[^>]*>; rel="next"/.exec(String(response.headers.link ?? ''));
        pageToken = next?.[1] ? decodeURIComponent(next[1]) : undefined;
        if (!pageToken) break;
      }
      expect(seen.sort()).toEqual(others.sort());
    });

    it('logs out with DELETE /self-service/logout/api', async () => {
      const { data } = await registerNative('native-logout@example.com');
      const { status } = await frontend.performNativeLogout({
        performNativeLogoutBody: { session_token: data.session_token ?? '' },
      });
      expect(status).toBe(204);
      // Logging out an ended session again is still a success.
      const again = await frontend.performNativeLogout({
        performNativeLogoutBody: { session_token: data.session_token ?? '' },
      });
      expect(again.status).toBe(204);
      expect((await failure(frontend.toSession({ xSessionToken: data.session_token }))).status).toBe(401);
    });
  });

  describe('browsers', () => {
    it('SPA: JSON flow, CSRF cookie and token, session cookie, logout', async () => {
      const browser = new BrowserClient(server.publicUrl);
      await registerNative('spa@example.com');
      const init = await browser.getJson(
        '/self-service/login/browser?return_to=http://app.example.test/after',
      );
      expect(init.status).toBe(200);
      const flow = (await init.json()) as LoginFlow;
      expect(flow.return_to).toBe('http://app.example.test/after');
      const csrfCookie = browser.cookieNames().find((n) => n.startsWith('csrf_token_')) ?? '';
      expect(csrfCookie).not.toBe('');
      const csrfBefore = browser.cookie(csrfCookie);

      const noCsrf = await browser.postJson(`/self-service/login?flow=${flow.id}`, {
        method: 'password',
        identifier: 'spa@example.com',
        password: PASSWORD,
      });
      expect(noCsrf.status).toBe(403);
      expect(await noCsrf.json()).toMatchObject({ error: { id: 'security_csrf_violation' } });

      const ok = await browser.postJson(`/self-service/login?flow=${flow.id}`, {
        method: 'password',
        identifier: 'spa@example.com',
        password: PASSWORD,
        csrf_token: csrfTokenOf(flow),
      });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({
        continue_with: [
          { action: 'redirect_browser_to', redirect_browser_to: 'http://app.example.test/after' },
        ],
      });
      expect(browser.cookie('ory_kratos_session')).toBeDefined();
      // Signing in gives the browser a new CSRF secret.
      expect(browser.cookie(csrfCookie)).not.toBe(csrfBefore);
      expect((await browser.getJson('/sessions/whoami')).status).toBe(200);

      const again = await browser.getJson('/self-service/login/browser');
      expect(again.status).toBe(400);
      expect(await again.json()).toMatchObject({ error: { id: 'session_already_available' } });

      const logout = (await (await browser.getJson('/self-service/logout/browser')).json()) as {
        logout_url: string;
      };
      expect(logout.logout_url).toContain('/self-service/logout?token=ory_lo_');
      // Someone else following the link (no session cookie) ends nothing: Kratos's 401.
      const stranger = await fetch(logout.logout_url, { redirect: 'manual' });
      expect(stranger.status).toBe(401);
      expect(await stranger.json()).toMatchObject({ error: { id: 'session_inactive' } });
      expect((await browser.getJson('/sessions/whoami')).status).toBe(200);
      const out = await browser.request(logout.logout_url);
      expect(out.status).toBe(303);
      expect((await browser.getJson('/sessions/whoami')).status).toBe(401);
      // Following it again is no second success: the session is gone (401, as Kratos).
      expect(
        (await browser.getJson(new URL(logout.logout_url).pathname + new URL(logout.logout_url).search))
          .status,
      ).toBe(401);
    });

    it('SPA posting FormData: multipart/form-data signs in as a form does (Kratos takes it); files are 400', async () => {
      const browser = new BrowserClient(server.publicUrl);
      await registerNative('formdata@example.com');
      const flow = (await (await browser.getJson('/self-service/login/browser')).json()) as LoginFlow;
      // What `fetch(action, {body: new FormData(form)})` sends.
      const multipart = async (form: FormData) => {
        const encoded = new Request('http://encode.test/', { method: 'POST', body: form });
        return browser.request(`/self-service/login?flow=${flow.id}`, {
          method: 'POST',
          headers: {
            accept: 'application/json',
            'content-type': encoded.headers.get('content-type') ?? '',
          },
          body: await encoded.text(),
        });
      };
      const withFile = new FormData();
      withFile.set('csrf_token', csrfTokenOf(flow));
      withFile.set('method', 'password');
      withFile.set('identifier', new Blob(['formdata@example.com']), 'identifier.txt');
      const refused = await multipart(withFile);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { reason: string } }).error.reason).toBe(
        'The form field "identifier" is a file; no flow takes files.',
      );
      const broken = await browser.request(`/self-service/login?flow=${flow.id}`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'multipart/form-data; boundary=x' },
        body: 'not multipart',
      });
      expect(broken.status).toBe(400);

      const form = new FormData();
      form.set('csrf_token', csrfTokenOf(flow));
      form.set('method', 'password');
      form.set('identifier', 'formdata@example.com');
      form.set('password', PASSWORD);
      const ok = await multipart(form);
      expect(ok.status).toBe(200);
      expect(browser.cookie('ory_kratos_session')).toBeDefined();
      expect((await browser.getJson('/sessions/whoami')).status).toBe(200);
    });

    it('logout: return_to defaults to the logout default, a refused one still signs out, as Kratos', async () => {
      const signIn = async () => {
        const browser = new BrowserClient(server.publicUrl);
        const flow = (await (await browser.getJson('/self-service/login/browser')).json()) as LoginFlow;
        const posted = await browser.postJson(flow.ui.action, {
          method: 'password',
          identifier: 'logout-rt@example.com',
          password: PASSWORD,
          csrf_token: csrfTokenOf(flow),
        });
        expect(posted.status).toBe(200);
        return browser;
      };
      await registerNative('logout-rt@example.com');

      const plain = await signIn();
      const empty = (await (await plain.getJson('/self-service/logout/browser?return_to=')).json()) as {
        logout_url: string;
      };
      expect(new URL(empty.logout_url).searchParams.has('return_to')).toBe(false);
      const out = await plain.request(empty.logout_url);
      expect(out.status).toBe(303);
      expect(out.headers.get('location')).toBe('http://app.example.test/signed-out');

      const evil = await signIn();
      const logout = (await (await evil.getJson('/self-service/logout/browser')).json()) as {
        logout_url: string;
      };
      const refused = await evil.getJson(
        `${new URL(logout.logout_url).pathname}${new URL(logout.logout_url).search}&return_to=${encodeURIComponent('https://evil.example/')}`,
      );
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: { id: 'self_service_flow_return_to_forbidden' } });
      expect((await evil.getJson('/sessions/whoami')).status).toBe(401);

      const api = await fetch(`${server.publicUrl}/self-service/logout/api`, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(api.status).toBe(403);
    });

    it("refuses another browser's fetch or submission of a browser flow", async () => {
      const owner = new BrowserClient(server.publicUrl);
      const flow = (await (await owner.getJson('/self-service/login/browser')).json()) as LoginFlow;
      const other = new BrowserClient(server.publicUrl);
      const otherFlow = (await (await other.getJson('/self-service/login/browser')).json()) as LoginFlow;

      const fetched = await other.getJson(`/self-service/login/flows?id=${flow.id}`);
      expect(fetched.status).toBe(403);
      expect(await fetched.json()).toMatchObject({ error: { id: 'security_csrf_violation' } });
      // Its own, valid CSRF token does not let it submit someone else's flow.
      const submitted = await other.postJson(`/self-service/login?flow=${flow.id}`, {
        method: 'password',
        identifier: 'x@example.com',
        password: 'whatever it is',
        csrf_token: csrfTokenOf(otherFlow),
      });
      expect(submitted.status).toBe(403);
      expect((await owner.getJson(`/self-service/login/flows?id=${flow.id}`)).status).toBe(200);
    });

    it('HTML form: redirects to the UI, posts the form, lands on return_to signed in', async () => {
      const browser = new BrowserClient(server.publicUrl);
      const init = await browser.request('/self-service/registration/browser', {
        headers: { accept: 'text/html' },
      });
      expect(init.status).toBe(303);
      const location = new URL(init.headers.get('location') ?? '');
      expect(location.pathname).toBe('/ui/registration');
      const flowId = location.searchParams.get('flow') ?? '';
      const flow = (await (
        await browser.getJson(`/self-service/registration/flows?id=${flowId}`)
      ).json()) as RegistrationFlow;

      const invalid = await browser.postForm(`/self-service/registration?flow=${flowId}`, {
        csrf_token: csrfTokenOf(flow),
        method: 'password',
        'traits.email': 'form@example.com',
        'traits.fullname': '',
        'traits.phone_number': '5550101',
        'traits.user_type': 'student',
        password: PASSWORD,
      });
      expect(invalid.status).toBe(303);
      expect(invalid.headers.get('location')).toContain(`flow=${flowId}`);
      const shown = (await (
        await browser.getJson(`/self-service/registration/flows?id=${flowId}`)
      ).json()) as RegistrationFlow;
      expect(messagesOf(shown.ui.nodes, 'traits.fullname')).toEqual([4000002]);
      const fieldValue = (name: string) =>
        shown.ui.nodes
          .map((n) => n.attributes as { name?: string; value?: unknown })
          .find((a) => a.name === name)?.value;
      expect(fieldValue('traits.email')).toBe('form@example.com');
      expect(fieldValue('password') ?? '').toBe('');

      const done = await browser.postForm(`/self-service/registration?flow=${flowId}`, {
        csrf_token: csrfTokenOf(shown),
        method: 'password',
        'traits.email': 'form@example.com',
        'traits.fullname': 'Dorothy Vaughan',
        'traits.phone_number': '5550101',
        'traits.user_type': 'student',
        password: PASSWORD,
      });
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('http://app.example.test/welcome');
      const whoami = await browser.getJson('/sessions/whoami');
      expect(whoami.status).toBe(200);
      expect(await whoami.json()).toMatchObject({ identity: { traits: { phone_number: 5550101 } } });

      // The same form sent again (a double click, the back button): the person is signed in, which
      // Kratos says before it checks the CSRF token that rotated at sign-up.
      const again = await browser.postForm(`/self-service/registration?flow=${flowId}`, {
        csrf_token: csrfTokenOf(shown),
        method: 'password',
        'traits.email': 'form@example.com',
        password: PASSWORD,
      });
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toBe('http://app.example.test/welcome');

      // A sign-in form sent twice: an SPA's second post is told session_already_available.
      const other = new BrowserClient(server.publicUrl);
      const loginFlow = (await (await other.getJson('/self-service/login/browser')).json()) as LoginFlow;
      const credentials = {
        csrf_token: csrfTokenOf(loginFlow),
        method: 'password',
        identifier: 'form@example.com',
        password: PASSWORD,
      };
      expect((await other.postJson(loginFlow.ui.action, credentials)).status).toBe(200);
      const twice = await other.postJson(loginFlow.ui.action, credentials);
      expect(twice.status).toBe(400);
      expect(await twice.json()).toMatchObject({ error: { id: 'session_already_available' } });
    });

    it('answers the fetch of an expired flow with where to start again, after the browser check', async () => {
      const browser = new BrowserClient(server.publicUrl);
      const returnTo = 'http://app.example.test/after';
      const init = await browser.getJson(
        `/self-service/login/browser?return_to=${encodeURIComponent(returnTo)}`,
      );
      const flow = (await init.json()) as LoginFlow;
      const { data: native } = await frontend.createNativeLoginFlow();
      await server.registry.database.db
        .updateTable('selfservice_flows')
        .set({ expires_at: new Date(Date.now() - 60_000) })
        .where('id', 'in', [flow.id, native.id])
        .execute();
      expect(
        (await new BrowserClient(server.publicUrl).getJson(`/self-service/login/flows?id=${flow.id}`)).status,
      ).toBe(403);
      const gone = await browser.getJson(`/self-service/login/flows?id=${flow.id}`);
      expect(gone.status).toBe(410);
      const body = (await gone.json()) as {
        error: { id: string; details: { redirect_to: string; return_to: string } };
      };
      expect(body.error.id).toBe('self_service_flow_expired');
      expect(body.error.details.return_to).toBe(returnTo);
      const redirectTo = new URL(body.error.details.redirect_to);
      expect(`${redirectTo.origin}${redirectTo.pathname}`).toBe(
        `${server.publicUrl}/self-service/login/browser`,
      );
      expect(redirectTo.searchParams.get('return_to')).toBe(returnTo);
      const apiGone = await fetch(`${server.publicUrl}/self-service/login/flows?id=${native.id}`);
      expect(apiGone.status).toBe(410);
      expect(((await apiGone.json()) as { error: { details: { api: string } } }).error.details.api).toBe(
        `${server.publicUrl}/self-service/login/api`,
      );
    });

    it("answers JSON or a redirect by Kratos's negotiation: a JSON body gets JSON, HTML preferred gets 303", async () => {
      const browser = new BrowserClient(server.publicUrl);
      const prefersHtml = await browser.request('/self-service/login/browser', {
        headers: { accept: 'text/html, application/json' },
      });
      expect(prefersHtml.status).toBe(303);
      // An SPA's plain fetch: JSON body, default Accept.
      const init = await browser.request('/self-service/login/browser', {
        headers: { accept: 'application/json' },
      });
      const flow = (await init.json()) as LoginFlow;
      const posted = await browser.request(`/self-service/login?flow=${flow.id}`, {
        method: 'POST',
        headers: { accept: '*/*', 'content-type': 'application/json' },
        body: JSON.stringify({
          method: 'password',
          identifier: 'nobody@example.com',
          password: 'not the password',
          csrf_token: csrfTokenOf(flow),
        }),
      });
      expect(posted.status).toBe(400);
      expect(((await posted.json()) as LoginFlow).ui.messages?.map((m) => m.id)).toEqual([4000006]);
    });

    it('HTML form: a throttled login goes back to its form with the wait, not to an error page', async () => {
      await registerNative('form-target@example.com');
      const browser = new BrowserClient(server.publicUrl);
      const init = await browser.request('/self-service/login/browser', { headers: { accept: 'text/html' } });
      const flowId = new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
      const fetchFlow = async () =>
        (await (await browser.getJson(`/self-service/login/flows?id=${flowId}`)).json()) as LoginFlow;
      let shown = await fetchFlow();
      for (let i = 0; i < 12 && !shown.ui.messages?.some((m) => m.id === 5000001); i++) {
        const posted = await browser.postForm(`/self-service/login?flow=${flowId}`, {
          csrf_token: csrfTokenOf(shown),
          method: 'password',
          identifier: 'form-target@example.com',
          password: `guess ${i}`,
        });
        expect(posted.status).toBe(303);
        expect(new URL(posted.headers.get('location') ?? '').pathname).toBe('/ui/login');
        expect(posted.headers.get('location')).toContain(`flow=${flowId}`);
        shown = await fetchFlow();
      }
      const [message] = shown.ui.messages ?? [];
      expect(message).toMatchObject({ id: 5000001, type: 'error' });
      expect(message?.text).toMatch(/^Too many failed attempts\. Try again in \d+ seconds\.$/);
      const identifier = shown.ui.nodes
        .map((n) => n.attributes as { name?: string; value?: unknown })
        .find((a) => a.name === 'identifier');
      expect(identifier?.value).toBe('form-target@example.com');
      // The same account from a JSON client is throttled too, with the status to act on.
      const spa = await browser.postJson(`/self-service/login?flow=${flowId}`, {
        csrf_token: csrfTokenOf(shown),
        method: 'password',
        identifier: 'form-target@example.com',
        password: PASSWORD,
      });
      expect(spa.status).toBe(429);
      expect(Number(spa.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it.each([
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example',
      'http://app.example.test.evil.example/',
    ])('refuses return_to %s', async (returnTo) => {
      const browser = new BrowserClient(server.publicUrl);
      const response = await browser.getJson(
        `/self-service/login/browser?return_to=${encodeURIComponent(returnTo)}`,
      );
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { id: 'self_service_flow_return_to_forbidden' } });
    });

    it('reads a repeated return_to by its first value, as Kratos: the one checked is the one kept', async () => {
      const allowed = 'http://app.example.test/after';
      const evil = 'https://evil.example/';
      const browser = new BrowserClient(server.publicUrl);
      const kept = await browser.getJson(
        `/self-service/login/browser?return_to=${encodeURIComponent(allowed)}&return_to=${encodeURIComponent(evil)}`,
      );
      expect(kept.status).toBe(200);
      expect(await kept.json()).toMatchObject({ return_to: allowed });
      const refused = await browser.getJson(
        `/self-service/login/browser?return_to=${encodeURIComponent(evil)}&return_to=${encodeURIComponent(allowed)}`,
      );
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: { id: 'self_service_flow_return_to_forbidden' } });
    });
  });
});
