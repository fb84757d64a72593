import { describe, expect, it } from 'vitest';
import { csrfTokenOf } from './support/browser-client.js';
import { useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { createPasswordIdentity, examTraits, loginWithPassword, PASSWORD } from './support/identities.js';
import { postAsApp } from './support/one-time-flows.js';
import { browserRecoveryCode, nativeRecoveryCode, type RecoveryFlowJson } from './support/recovery-codes.js';
import { jsonnetBody, refusal, useHookReceiver, webHookTo } from './support/web-hook-receiver.js';

const BODY = jsonnetBody(
  "function(ctx) { identity_id: ctx.identity.id, session_id: ctx.session.id, state: ctx.flow.state, admin: std.objectHas(ctx.identity, 'metadata_admin'), payload: if std.objectHas(ctx.flow, 'transient_payload') then ctx.flow.transient_payload else null }",
);
/** What a policy service answers to refuse a recovery. */
const LOCKED = refusal('This account is locked: call the help desk.');

type HookBody = { identity_id: string; session_id: string; state: string; admin: boolean; payload: unknown };

describe.each(testDatabases())(
  'recovery after hooks decide before the session exists ($name)',
  (database) => {
    const hooks = useHookReceiver();
    const t = useCourierServer(database, () => ({
      flows: {
        recovery: {
          enabled: true,
          use: 'code',
          after: {
            hooks: [
              webHookTo(hooks.receiver, '/interrupting', BODY),
              { hook: 'revoke_active_sessions' },
              webHookTo(hooks.receiver, '/plain', BODY),
            ],
          },
        },
      },
    }));
    const sessionCookie = () => t.server.registry.sessionConfig.cookie.name;

    /** An identity somebody else is signed in to (with the password they took): their token. */
    async function takenOver(email: string): Promise<{ id: string; intruder: string }> {
      const identity = await createPasswordIdentity(t.admin, examTraits(email), PASSWORD);
      const { data: login } = await loginWithPassword(t.frontend, email, PASSWORD);
      return { id: identity.id, intruder: login.session_token ?? '' };
    }

    async function activeSessions(identityId: string): Promise<number> {
      const { data } = await t.admin.listIdentitySessions({ id: identityId, active: true });
      return data.length;
    }

    async function whoami(token: string): Promise<number> {
      const response = await fetch(`${t.server.publicUrl}/sessions/whoami`, {
        headers: { 'x-session-token': token },
      });
      return response.status;
    }

    /** A native flow with a code mailed for `email`: submit the code with `fetch` (no redirects followed). */
    async function nativeCode(email: string) {
      const { id, code } = await nativeRecoveryCode(t.frontend, t.smtp, email);
      const submit = (extra: object = {}) =>
        postAsApp(t.server.publicUrl, 'recovery', id, { method: 'code', code, ...extra });
      return { flow: { id }, submit };
    }

    /** What the hook at `path` was sent about identity `id`. */
    const sentTo = (path: string, id: string) =>
      hooks.receiver
        .to(path)
        .map((r) => JSON.parse(r.body) as HookBody)
        .filter((b) => b.identity_id === id);

    /** A browser flow with a code mailed for `email`; `html` submits it as a form post. */
    async function browserCode(email: string, html: boolean) {
      const { browser, flow, code } = await browserRecoveryCode(t.server.publicUrl, t.smtp, email);
      const fields = { method: 'code', code, csrf_token: csrfTokenOf(flow) };
      const submit = () =>
        html
          ? browser.postForm(`/self-service/recovery?flow=${flow.id}`, fields)
          : browser.postJson(`/self-service/recovery?flow=${flow.id}`, fields);
      return { browser, flow, submit };
    }

    it('a can_interrupt hook refuses a native recovery: a new flow with its message, no session, nobody signed out', async () => {
      const { receiver } = hooks;
      const email = 'locked-native@example.test';
      const { id, intruder } = await takenOver(email);
      receiver.script('/interrupting', [LOCKED]);
      const calls = receiver.to('/interrupting').length;
      const { flow, submit } = await nativeCode(email);

      const refused = await submit();
      // As Kratos's retryRecoveryFlow for an api flow: 303 to the new flow's JSON.
      expect(refused.status).toBe(303);
      const location = new URL(String(refused.headers.get('location')));
      expect(location.pathname).toBe('/self-service/recovery/flows');
      expect(location.searchParams.get('id')).not.toBe(flow.id);
      expect(await refused.text()).not.toContain('ory_st_');
      const next = (await (await fetch(location)).json()) as RecoveryFlowJson;
      expect(next.state).toBe('choose_method');
      expect(next.ui.messages?.map((m) => m.text)).toEqual(['This account is locked: call the help desk.']);

      expect(receiver.to('/interrupting').length).toBe(calls + 1);
      expect(receiver.to('/plain').filter((r) => r.body.includes(id))).toHaveLength(0);
      // The refused recovery stored no session and signed nobody out.
      expect(await activeSessions(id)).toBe(1);
      expect(await whoami(intruder)).toBe(200);
    });

    it('refuses an SPA and an HTML form alike, and sets no session cookie', async () => {
      const { receiver } = hooks;
      const email = 'locked-browser@example.test';
      const { id } = await takenOver(email);
      receiver.script('/interrupting', [LOCKED]);

      const spa = await browserCode(email, false);
      const refused = await spa.submit();
      expect(refused.status).toBe(303);
      const location = new URL(String(refused.headers.get('location')));
      expect(location.pathname).toBe('/self-service/recovery/flows');
      expect(refused.headers.getSetCookie().some((c) => c.startsWith(`${sessionCookie()}=`))).toBe(false);
      // The browser may fetch the new flow: it is bound to the CSRF cookie it holds.
      const next = await spa.browser.getJson(`${location.pathname}${location.search}`);
      expect(next.status).toBe(200);
      expect(((await next.json()) as RecoveryFlowJson).ui.messages?.map((m) => m.id)).toEqual([4000001]);
      expect((await spa.browser.getJson('/sessions/whoami')).status).toBe(401);

      const form = await browserCode(email, true);
      const sent = await form.submit();
      expect(sent.status).toBe(303);
      expect(String(sent.headers.get('location'))).toMatch(/\/ui\/recovery\?flow=/);
      expect(sent.headers.get('location')).not.toContain(form.flow.id);
      expect(sent.headers.getSetCookie().some((c) => c.startsWith(`${sessionCookie()}=`))).toBe(false);
      expect((await form.browser.getJson('/sessions/whoami')).status).toBe(401);
      expect(await activeSessions(id)).toBe(1);
    });

    it('a plain hook answering 403 fails the recovery with 502 (an error page for a form): no session is stored', async () => {
      const { receiver } = hooks;
      const email = 'plain-refused@example.test';
      const { id, intruder } = await takenOver(email);
      receiver.script('/plain', [{ status: 403 }]);
      const native = await nativeCode(email);
      const failed = await native.submit();
      expect(failed.status).toBe(502);
      expect(await failed.text()).not.toContain('ory_st_');

      const form = await browserCode(email, true);
      const sent = await form.submit();
      expect(sent.status).toBe(303);
      expect(String(sent.headers.get('location'))).toMatch(/\/ui\/error\?id=/);
      expect(sent.headers.getSetCookie().some((c) => c.startsWith(`${sessionCookie()}=`))).toBe(false);
      expect((await form.browser.getJson('/sessions/whoami')).status).toBe(401);

      // revoke_active_sessions waits for every web hook, as for login: a denied recovery signs nobody out.
      expect(await activeSessions(id)).toBe(1);
      expect(await whoami(intruder)).toBe(200);
    });

    it('hooks that pass see the session about to be stored; it is then issued and the others are revoked', async () => {
      const email = 'recovered@example.test';
      const { id, intruder } = await takenOver(email);
      const { submit } = await nativeCode(email);
      const done = await submit();
      expect(done.status).toBe(200);
      const body = (await done.json()) as RecoveryFlowJson & {
        continue_with: { action: string; ory_session_token?: string }[];
      };
      const token =
        body.continue_with.find((c) => c.action === 'set_ory_session_token')?.ory_session_token ?? '';
      const { data: mine } = await t.frontend.toSession({ xSessionToken: token });
      for (const path of ['/interrupting', '/plain']) {
        // The identity with metadata_admin, as every flow's hooks see it (not in Kratos: #3894).
        expect(sentTo(path, id), path).toEqual([
          { identity_id: id, session_id: mine.id, state: 'passed_challenge', admin: true, payload: null },
        ]);
      }
      expect(await whoami(intruder)).toBe(401);
      expect(await activeSessions(id)).toBe(1);
    });

    it("hands the code step's transient_payload to the hooks as ctx.flow.transient_payload", async () => {
      const email = 'recovered-payload@example.test';
      const { id } = await takenOver(email);
      const payload = { ticket: 'HD-1042', reason: ['lost phone'] };
      const { submit } = await nativeCode(email);
      const done = await submit({ transient_payload: payload });
      expect(done.status).toBe(200);
      for (const path of ['/interrupting', '/plain']) {
        expect(
          sentTo(path, id).map((b) => b.payload),
          path,
        ).toEqual([payload]);
      }
    });
  },
);
