/**
 * `GET /self-service/errors` as Kratos's errorx fetchError serves it: the error id is all a
 * caller needs, so error UIs that render on a server and send no cookies (`@ory/nextjs`
 * getError, SvelteKit/Remix loaders) read the error; `?error=` is read before `?id=`.
 */

import { Configuration, FrontendApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { startTestServer, type TestServer } from './support/server.js';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe.each(testDatabases())('self-service errors read by a server-side error UI ($name)', (database) => {
  let server: TestServer;
  let drop: () => Promise<void>;
  let errorId: string;

  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    server = await startTestServer({ dsn: db.dsn });
    // A person's browser asks for a login with a return_to that is not allowed.
    const browser = new BrowserClient(server.publicUrl);
    const refused = await browser.request('/self-service/login/browser?return_to=https://evil.example/', {
      headers: { accept: HTML },
    });
    expect(refused.status).toBe(303);
    errorId = new URL(refused.headers.get('location') ?? '').searchParams.get('id') ?? '';
    expect(browser.cookieNames().some((name) => name.startsWith('csrf_token_'))).toBe(true);
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it('answers @ory/client getFlowError from a server, which sends no cookies (as @ory/nextjs getError)', async () => {
    const frontend = new FrontendApi(
      new Configuration({
        basePath: server.publicUrl,
        baseOptions: { headers: { Accept: 'application/json' } },
      }),
    );
    const { status, data } = await frontend.getFlowError({ id: errorId });
    expect(status).toBe(200);
    expect(data).toMatchObject({
      id: errorId,
      error: { id: 'self_service_flow_return_to_forbidden', code: 400, status: 'Bad Request' },
    });
    // Only Kratos's flowError fields: nothing of the browser (its CSRF binding) is shown.
    expect(Object.keys(data).sort()).toEqual(['created_at', 'error', 'id', 'updated_at']);
    expect(JSON.stringify(data)).not.toMatch(/csrf/i);
  });

  it('reads ?error= (older error UIs) as ?id=, ?error= first, as Kratos', async () => {
    for (const query of [`error=${errorId}`, `error=${errorId}&id=stub:500`]) {
      const response = await fetch(`${server.publicUrl}/self-service/errors?${query}`);
      expect(response.status, query).toBe(200);
      expect(((await response.json()) as { id: string }).id, query).toBe(errorId);
    }
  });
});
