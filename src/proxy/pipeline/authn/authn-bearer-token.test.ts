import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../../../test/support/http-receiver.js';
import { createOutboundHttp, type OutboundHttpClient } from '../../../kernel/http-client.js';
import { defaultRegistry, PipelineCompiler, runPipeline } from '../index.js';
import type { PipelineRequest } from '../session.js';

const WHOAMI = '/sessions/whoami';

let store: HttpReceiver;
let http: OutboundHttpClient;

beforeAll(async () => {
  store = await startHttpReceiver();
  http = createOutboundHttp({ disallowPrivateIpRanges: false });
});
afterAll(async () => {
  await store.stop();
  await http.close();
});
beforeEach(() => {
  store.requests.length = 0;
  store.script(WHOAMI, [{ status: 200, body: { sub: 'user-1' } }]);
});

function pipeline(config: Record<string, unknown>) {
  const compiled = new PipelineCompiler(
    defaultRegistry(),
    {
      authenticators: {
        bearer_token: {
          enabled: true,
          config: { check_session_url: `${store.url}${WHOAMI}`, preserve_path: true },
        },
      },
      authorizers: { allow: { enabled: true } },
      mutators: { noop: { enabled: true } },
    },
    { http },
  ).compile({
    id: 'r',
    authenticators: [{ handler: 'bearer_token', config }],
    authorizer: { handler: 'allow' },
    mutators: [{ handler: 'noop' }],
  });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
  return compiled.pipeline;
}

const request: PipelineRequest = {
  method: 'GET',
  url: new URL('https://app.example/orders'),
  headers: {
    'x-session-token': 'tok',
    cookie: 'session=tok; theme=dark',
    authorization: 'Bearer other',
  },
  captureGroups: [],
};

describe('bearer_token authenticator', () => {
  it.each([
    ['a header', { header: 'X-Session-Token' }],
    ['a cookie', { cookie: 'session' }],
  ])(
    'forwards only Authorization, not the token_from place (%s), as Oathkeeper',
    async (_name, tokenFrom) => {
      const result = await runPipeline(pipeline({ token_from: tokenFrom }), request);
      expect(result).toMatchObject({ kind: 'allow', subject: 'user-1' });
      const [check] = store.to(WHOAMI);
      expect(check?.headers.authorization).toBe('Bearer other');
      expect(check?.headers).not.toHaveProperty('x-session-token');
      expect(check?.headers).not.toHaveProperty('cookie');
    },
  );

  it('forwards the token_from header when forward_http_headers lists it', async () => {
    const config = { token_from: { header: 'X-Session-Token' }, forward_http_headers: ['X-Session-Token'] };
    expect(await runPipeline(pipeline(config), request)).toMatchObject({ kind: 'allow', subject: 'user-1' });
    expect(store.to(WHOAMI)[0]?.headers['x-session-token']).toBe('tok');
  });
});
