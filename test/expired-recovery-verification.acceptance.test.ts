import { Configuration, FrontendApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { startTestServer, type TestServer } from './support/server.js';

type FlowJson = {
  id: string;
  state: string;
  ui: { messages?: { id: number; text: string }[]; nodes: { attributes: object }[] };
};

/** Behind a gateway on a path prefix: every redirect must name this base, not the listener. */
const GATEWAY_BASE = 'http://gateway.example.test/.ory/kratos/';

const EXPIRED_MESSAGE = { recovery: 4060005, verification: 4070005 } as const;

// Kratos's recovery and verification error handlers answer a submission to an expired flow
// with a fresh flow, not with 410 as login and registration do: 303 to the UI for a browser
// that wants HTML, and otherwise (native apps, SPAs) 303 to the new flow's JSON at
// `/self-service/<kind>/flows?id=`, which the client follows (api.json, updateRecoveryFlow).
describe.each(testDatabases())(
  'submitting to an expired recovery or verification flow ($name)',
  (database) => {
    let server: TestServer;
    /** A second server without the gateway, for the SDK, which follows redirects itself. */
    let direct: TestServer;
    let frontend: FrontendApi;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const db = await database.create();
      drop = db.drop;
      const extraConfig = {
        selfservice: {
          default_browser_return_url: 'http://app.example.test/welcome',
          flows: { recovery: { enabled: true, use: 'code' }, verification: { enabled: true, use: 'code' } },
        },
      };
      server = await startTestServer({
        dsn: db.dsn,
        publicListener: { base_url: GATEWAY_BASE },
        extraConfig,
      });
      direct = await startTestServer({ dsn: 'memory', extraConfig });
      frontend = new FrontendApi(new Configuration({ basePath: direct.publicUrl }));
    });
    afterAll(async () => {
      await direct?.close();
      await server?.close();
      await drop?.();
    });

    async function expire(id: string, on: TestServer = server): Promise<void> {
      await on.registry.database.db
        .updateTable('selfservice_flows')
        .set({ expires_at: new Date(Date.now() - 60_000) })
        .where('id', '=', id)
        .execute();
    }

    /** Where a redirect to the gateway's `/.ory/kratos/<path>` lands on this listener (the gateway strips the prefix). */
    function throughGateway(location: URL): string {
      return `${server.publicUrl}${location.pathname.replace('/.ory/kratos', '')}${location.search}`;
    }

    it.each(['recovery', 'verification'] as const)(
      'sends a native %s client to a fresh flow with 303, which the official client follows',
      async (kind) => {
        const created = await fetch(`${server.publicUrl}/self-service/${kind}/api`);
        const flow = (await created.json()) as FlowJson;
        await expire(flow.id);

        const answer = await fetch(`${server.publicUrl}/self-service/${kind}?flow=${flow.id}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({ method: 'code', email: 'nobody@example.com' }),
        });
        expect(answer.status).toBe(303);
        const location = new URL(answer.headers.get('location') ?? '');
        expect(`${location.origin}${location.pathname}`).toBe(`${GATEWAY_BASE}self-service/${kind}/flows`);
        const nextId = location.searchParams.get('id');
        expect(nextId).not.toBe(flow.id);

        const next = (await (await fetch(throughGateway(location))).json()) as FlowJson;
        expect(next.id).toBe(nextId);
        expect(next.state).toBe('choose_method');
        expect(next.ui.messages?.map((m) => m.id)).toEqual([EXPIRED_MESSAGE[kind]]);

        // The official SDK follows the redirect and hands the app the new flow.
        const again = (await (
          await fetch(`${direct.publicUrl}/self-service/${kind}/api`)
        ).json()) as FlowJson;
        await expire(again.id, direct);
        const followed =
          kind === 'recovery'
            ? await frontend.updateRecoveryFlow({
                flow: again.id,
                updateRecoveryFlowBody: { method: 'code', email: 'nobody@example.com' },
              })
            : await frontend.updateVerificationFlow({
                flow: again.id,
                updateVerificationFlowBody: { method: 'code', email: 'nobody@example.com' },
              });
        expect(followed.status).toBe(200);
        expect(followed.data.id).not.toBe(again.id);
        expect(followed.data.ui.messages?.map((m) => m.id)).toEqual([EXPIRED_MESSAGE[kind]]);
      },
    );

    it.each(['recovery', 'verification'] as const)(
      'sends a browser %s flow to a fresh one: the UI for HTML, the flow JSON for an SPA',
      async (kind) => {
        const browser = new BrowserClient(server.publicUrl);
        for (const accept of ['text/html', 'application/json']) {
          const init = await browser.getJson(`/self-service/${kind}/browser`);
          const flow = (await init.json()) as FlowJson;
          await expire(flow.id);
          const fields = { method: 'code', email: 'nobody@example.com', csrf_token: csrfTokenOf(flow) };
          // A form post is what a browser sends; JSON is what an SPA's fetch sends.
          const answer =
            accept === 'text/html'
              ? await browser.postForm(`/self-service/${kind}?flow=${flow.id}`, fields)
              : await browser.postJson(`/self-service/${kind}?flow=${flow.id}`, fields);
          expect(answer.status, accept).toBe(303);
          const location = new URL(answer.headers.get('location') ?? '');
          const nextId = location.searchParams.get(accept === 'text/html' ? 'flow' : 'id');
          if (accept === 'application/json')
            expect(`${location.origin}${location.pathname}`).toBe(
              `${GATEWAY_BASE}self-service/${kind}/flows`,
            );
          else expect(`${location.origin}${location.pathname}`).toBe(`${GATEWAY_BASE}ui/${kind}`);
          // The new flow belongs to the same browser and says why the person is on it.
          const next = await browser.getJson(`/self-service/${kind}/flows?id=${nextId}`);
          expect(next.status, accept).toBe(200);
          const body = (await next.json()) as FlowJson;
          expect(body.ui.messages?.map((m) => m.id)).toEqual([EXPIRED_MESSAGE[kind]]);
        }
      },
    );
  },
);
