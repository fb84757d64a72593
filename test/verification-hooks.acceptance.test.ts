/**
 * `selfservice.flows.verification.after.hooks` decide before the address is verified, as Kratos's
 * verificationUseCode runs PostVerificationHook before UpdateVerifiableAddress: a hook that fails
 * leaves the address unverified.
 */
import { describe, expect, it } from 'vitest';
import { csrfTokenOf } from './support/browser-client.js';
import { useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { addressVerified, createExamIdentity, postAsApp } from './support/one-time-flows.js';
import { browserVerificationCode, nativeVerificationCode } from './support/verification-codes.js';
import { jsonnetBody, refusal, useHookReceiver, webHookTo } from './support/web-hook-receiver.js';

const BODY = jsonnetBody(
  "function(ctx) { identity_id: ctx.identity.id, state: ctx.flow.state, admin: std.objectHas(ctx.identity, 'metadata_admin'), payload: if std.objectHas(ctx.flow, 'transient_payload') then ctx.flow.transient_payload else null }",
);
/** What a policy service answers to refuse a verification. */
const LOCKED = refusal('This address is on a block list.');

type FlowJson = { id: string; state: string; ui: { messages?: { id: number; text: string }[] } };

describe.each(testDatabases())(
  'verification after hooks decide before the address is verified ($name)',
  (database) => {
    const hooks = useHookReceiver();
    const t = useCourierServer(database, () => ({
      flows: {
        verification: {
          enabled: true,
          use: 'code',
          after: {
            hooks: [
              webHookTo(hooks.receiver, '/interrupting', BODY),
              webHookTo(hooks.receiver, '/plain', BODY),
            ],
          },
        },
      },
    }));

    const createIdentity = (email: string) =>
      createExamIdentity(t.admin, email, { metadata_admin: { tier: 'gold' } });
    const verified = (id: string) => addressVerified(t.admin, id);

    /** A native flow with a code mailed for `email`; `submit` posts it with `fetch` (no redirects followed). */
    async function nativeCode(email: string) {
      const { id, code } = await nativeVerificationCode(t.frontend, t.smtp, email);
      const submit = (extra: object = {}) =>
        postAsApp(t.server.publicUrl, 'verification', id, { method: 'code', code, ...extra });
      return { flow: { id }, submit };
    }

    it('leaves the address unverified when a hook fails (502), and verifies it once the hooks pass', async () => {
      const { receiver } = hooks;
      const email = 'hook-fails@example.test';
      const id = await createIdentity(email);
      // A 4xx from a hook that may not interrupt: the target answered, wrongly (Kratos's 502).
      receiver.script('/plain', [{ status: 403, body: {} }]);
      const failing = await nativeCode(email);
      const answer = await failing.submit();
      expect(answer.status).toBe(502);
      expect(await verified(id)).toBe(false);

      receiver.script('/plain', [{ status: 204 }]);
      const seen = receiver.to('/plain').length;
      const passing = await nativeCode(email);
      const done = await passing.submit();
      expect(done.status).toBe(200);
      expect(((await done.json()) as FlowJson).state).toBe('passed_challenge');
      expect(await verified(id)).toBe(true);
      // The hook saw the flow before it passed, and the identity with metadata_admin, as the
      // hooks of every other flow see it (Kratos leaves it out everywhere: ory/kratos#3894).
      const [request] = receiver.to('/plain').slice(seen);
      expect(JSON.parse(request?.body ?? '{}')).toEqual({
        identity_id: id,
        state: 'sent_email',
        admin: true,
        payload: null,
      });
    });

    it("hands the code step's transient_payload to the hooks as ctx.flow.transient_payload", async () => {
      const { receiver } = hooks;
      const email = 'hook-payload@example.test';
      const id = await createIdentity(email);
      const payload = { campaign: 'spring', seats: [1, 2] };
      const { submit } = await nativeCode(email);
      const done = await submit({ transient_payload: payload });
      expect(done.status).toBe(200);
      expect(await verified(id)).toBe(true);
      for (const path of ['/interrupting', '/plain']) {
        const sent = receiver
          .to(path)
          .map((r) => JSON.parse(r.body) as { identity_id: string })
          .filter((b) => b.identity_id === id);
        expect(sent, path).toEqual([{ identity_id: id, state: 'sent_email', admin: true, payload }]);
      }
    });

    // Parse and `can_interrupt` hooks run with the others, as Kratos's ExecutePostVerificationHook
    // calls every web hook.
    it("shows a refusing hook's messages on a new flow and leaves the address unverified", async () => {
      const { receiver } = hooks;
      const email = 'hook-refuses@example.test';
      const id = await createIdentity(email);
      receiver.script('/interrupting', [LOCKED]);
      const plainBefore = receiver.to('/plain').length;
      const native = await nativeCode(email);
      const answer = await native.submit();
      expect(answer.status).toBe(410);
      const body = (await answer.json()) as { error: { id: string }; use_flow_id: string };
      expect(body.error.id).toBe('self_service_flow_replaced');
      const { data: next } = await t.frontend.getVerificationFlow({ id: body.use_flow_id });
      expect(next.ui.messages?.map((m) => m.text)).toEqual(['This address is on a block list.']);
      expect(await verified(id)).toBe(false);
      // The hooks after the one that refused do not run.
      expect(receiver.to('/plain')).toHaveLength(plainBefore);

      // A browser's form post is sent to the UI of the new flow.
      const { browser, flow, code } = await browserVerificationCode(t.server.publicUrl, t.smtp, email);
      const posted = await browser.postForm(`/self-service/verification?flow=${flow.id}`, {
        method: 'code',
        code,
        csrf_token: csrfTokenOf(flow),
      });
      expect(posted.status).toBe(303);
      const location = new URL(posted.headers.get('location') ?? '');
      expect(location.pathname).toBe('/ui/verification');
      expect(location.searchParams.get('flow')).not.toBe(flow.id);
      expect(await verified(id)).toBe(false);
    });
  },
);
