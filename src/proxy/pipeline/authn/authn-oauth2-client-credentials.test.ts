import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type HttpReceiver,
  type ReceivedRequest,
  startHttpReceiver,
} from '../../../../test/support/http-receiver.js';
import { createOutboundHttp, type OutboundHttpClient } from '../../../kernel/http-client.js';
import { defaultRegistry, type HandlerRegistry, PipelineCompiler, runPipeline } from '../index.js';
import type { PipelineRequest } from '../session.js';
import { oauth2ClientCredentialsAuthenticator } from './authn-oauth2-client-credentials.js';
import { basicCredentials, formUnescape } from './basic-credentials.js';
import { formEscape } from './oauth2-token-request.js';

const TOKEN = '/oauth2/token';

let idp: HttpReceiver;
let http: OutboundHttpClient;

/** Registered clients of the token endpoint: id -> secret. */
const CLIENTS: Record<string, string> = { 'my client': 's3cret+/:', reporting: 'r3port' };

/** A token endpoint that checks client_secret_basic and the scopes a client may have. */
function tokenEndpoint(expiresIn: number | null = 3600) {
  return (req: ReceivedRequest) => {
    const basic = basicCredentials({
      method: 'POST',
      url: new URL('http://idp/'),
      headers: req.headers,
      captureGroups: [],
    });
    const id = formUnescape(basic?.username ?? '') ?? '';
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== 'client_credentials')
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (CLIENTS[id] === undefined || CLIENTS[id] !== formUnescape(basic?.password ?? ''))
      return { status: 401, body: { error: 'invalid_client' } };
    if (id === 'reporting' && (form.get('scope') ?? '').includes('write'))
      return { status: 400, body: { error: 'invalid_scope' } };
    return {
      status: 200,
      body: { access_token: `at-${id}`, token_type: 'bearer', expires_in: expiresIn ?? undefined },
    };
  };
}

beforeAll(async () => {
  idp = await startHttpReceiver();
  http = createOutboundHttp({ disallowPrivateIpRanges: false });
});
afterAll(async () => {
  await idp.stop();
  await http.close();
});
beforeEach(() => {
  idp.requests.length = 0;
  idp.script(TOKEN, tokenEndpoint());
});
afterEach(() => {
  vi.useRealTimers();
});

function registry(): HandlerRegistry {
  const base = defaultRegistry();
  const handler = oauth2ClientCredentialsAuthenticator;
  return { ...base, authenticators: new Map([...base.authenticators, [handler.id, handler]]) };
}

function compile(config: Record<string, unknown> = {}) {
  const compiler = new PipelineCompiler(
    registry(),
    {
      authenticators: {
        oauth2_client_credentials: { enabled: true, config: { token_url: `${idp.url}${TOKEN}` } },
        anonymous: { enabled: true, config: { subject: 'anonymous' } },
      },
      authorizers: { allow: { enabled: true } },
      mutators: { noop: { enabled: true } },
    },
    { http },
  );
  return compiler.compile({
    id: 'r',
    authenticators: [{ handler: 'oauth2_client_credentials', config }, { handler: 'anonymous' }],
    authorizer: { handler: 'allow' },
    mutators: [{ handler: 'noop' }],
  });
}

function pipeline(config: Record<string, unknown> = {}) {
  const compiled = compile(config);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
  return compiled.pipeline;
}

function request(authorization?: string): PipelineRequest {
  return {
    method: 'GET',
    url: new URL('https://api.example/reports'),
    headers: authorization === undefined ? {} : { authorization },
    captureGroups: [],
  };
}

/** HTTP Basic as an OAuth 2.0 client sends it: id and secret form-encoded first. */
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${formEscape(id)}:${formEscape(secret)}`).toString('base64')}`;

describe('oauth2_client_credentials authenticator', () => {
  it('exchanges the Basic credentials at token_url; the subject is the client id', async () => {
    const result = await runPipeline(
      pipeline({ required_scope: ['reports.read', 'profile'] }),
      request(basic('my client', CLIENTS['my client']!)),
    );
    expect(result).toMatchObject({ kind: 'allow', subject: 'my client', extra: {} });
    const [grant] = idp.to(TOKEN);
    expect(grant?.method).toBe('POST');
    expect(grant?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(grant?.headers.authorization).toBe(basic('my client', CLIENTS['my client']!));
    expect(Object.fromEntries(new URLSearchParams(grant?.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'reports.read profile',
    });
  });

  it('is not responsible without Basic credentials', async () => {
    expect(await runPipeline(pipeline(), request())).toMatchObject({ kind: 'allow', subject: 'anonymous' });
    for (const header of [
      'Bearer abc',
      'Basic not-base64!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
    ]) {
      // anonymous does not take a request with Authorization either: 401, and no grant attempted
      expect(await runPipeline(pipeline(), request(header))).toMatchObject({
        error: { kind: 'unauthorized' },
      });
    }
    expect(idp.to(TOKEN)).toHaveLength(0);
  });

  it.each([
    ['a wrong secret', basic('reporting', 'guess'), {}],
    ['an unknown client', basic('mallory', 'x'), {}],
    ['a scope the client may not have', basic('reporting', 'r3port'), { required_scope: ['reports.write'] }],
    ['credentials that are not form-encoded', `Basic ${Buffer.from('a%zz:b').toString('base64')}`, {}],
  ])('refuses %s with 401', async (_name, authorization, config) => {
    const result = await runPipeline(pipeline(config), request(authorization));
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'unauthorized', status: 401 } });
  });

  // Oathkeeper's Authenticate: 503/500/504/404 are upstream errors, other statuses 401, no
  // usable answer 503 (x/oauth2's plain error).
  it.each([
    ['answers 503', [{ status: 503, body: {} }], 'service_unavailable', 503],
    ['answers 500', [{ status: 500, body: {} }], 'internal_server_error', 500],
    ['answers 504', [{ status: 504, body: {} }], 'gateway_timeout', 504],
    ['answers 404', [{ status: 404, body: {} }], 'not_found', 404],
    ['answers 502', [{ status: 502, body: {} }], 'unauthorized', 401],
    ['grants no access_token', [{ status: 200, body: { token_type: 'bearer' } }], 'service_unavailable', 503],
  ])('when the token endpoint %s: %s', async (_name, responses, kind, status) => {
    idp.script(TOKEN, responses);
    const compiled = pipeline({ retry: { give_up_after: '2s', max_delay: '1ms' } });
    const result = await runPipeline(compiled, request(basic('reporting', 'r3port')));
    expect(result).toMatchObject({ kind: 'error', error: { kind, status } });
  });

  it('does not retry a failing token endpoint (Oathkeeper does not)', async () => {
    idp.script(TOKEN, [
      { status: 503, body: {} },
      { status: 200, body: { access_token: 'at' } },
    ]);
    const compiled = pipeline({ retry: { give_up_after: '2s', max_delay: '1ms' } });
    expect(await runPipeline(compiled, request(basic('reporting', 'r3port')))).toMatchObject({
      kind: 'error',
      error: { kind: 'service_unavailable', status: 503 },
    });
    expect(idp.to(TOKEN)).toHaveLength(1);
  });

  it('answers 503 when the token endpoint is down', async () => {
    const down = await startHttpReceiver();
    await down.stop();
    const result = await runPipeline(
      pipeline({ token_url: `${down.url}${TOKEN}` }),
      request(basic('a', 'b')),
    );
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'service_unavailable', status: 503 } });
  });

  it('validates the config when the rule loads', () => {
    expect(compile({ token_url: 'file:///etc/passwd' })).toMatchObject({ ok: false });
    expect(compile({ cache: { enabled: true, max_tokens: 0 } })).toMatchObject({ ok: false });
    expect(compile({ retry: { give_up_after: 'soon' } })).toMatchObject({ ok: false });
  });
});

describe('oauth2_client_credentials cache', () => {
  it('remembers accepted credentials, by id and secret together', async () => {
    const compiled = pipeline({ cache: { enabled: true } });
    await runPipeline(compiled, request(basic('reporting', 'r3port')));
    expect(await runPipeline(compiled, request(basic('reporting', 'r3port')))).toMatchObject({
      kind: 'allow',
      subject: 'reporting',
    });
    expect(idp.to(TOKEN)).toHaveLength(1);
    // Same id, other secret: asked again, and refused.
    expect(await runPipeline(compiled, request(basic('reporting', 'guess')))).toMatchObject({
      error: { kind: 'unauthorized' },
    });
    expect(await runPipeline(compiled, request(basic('reporting', 'guess')))).toMatchObject({
      error: { kind: 'unauthorized' },
    });
    expect(idp.to(TOKEN)).toHaveLength(3);
  });

  it('keeps an entry for the shorter of expires_in and ttl; neither known: not at all', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const ttl = pipeline({ cache: { enabled: true, ttl: '1m' } }); // expires_in 1 h
    await runPipeline(ttl, request(basic('reporting', 'r3port')));
    vi.setSystemTime(start + 59_000);
    await runPipeline(ttl, request(basic('reporting', 'r3port')));
    expect(idp.to(TOKEN)).toHaveLength(1);
    vi.setSystemTime(start + 61_000);
    await runPipeline(ttl, request(basic('reporting', 'r3port')));
    expect(idp.to(TOKEN)).toHaveLength(2);

    idp.script(TOKEN, tokenEndpoint(30));
    const shortToken = pipeline({ cache: { enabled: true, ttl: '1h' } });
    await runPipeline(shortToken, request(basic('reporting', 'r3port')));
    vi.setSystemTime(Date.now() + 31_000);
    await runPipeline(shortToken, request(basic('reporting', 'r3port')));
    expect(idp.to(TOKEN)).toHaveLength(4);

    idp.script(TOKEN, tokenEndpoint(null));
    const unknownLifetime = pipeline({ cache: { enabled: true } });
    await runPipeline(unknownLifetime, request(basic('reporting', 'r3port')));
    await runPipeline(unknownLifetime, request(basic('reporting', 'r3port')));
    expect(idp.to(TOKEN)).toHaveLength(6);
  });

  it('holds at most max_tokens clients', async () => {
    const compiled = pipeline({ cache: { enabled: true, max_tokens: 1 } });
    for (const [id, secret] of [
      ['reporting', 'r3port'],
      ['my client', CLIENTS['my client']!],
      ['reporting', 'r3port'],
    ] as const)
      await runPipeline(compiled, request(basic(id, secret)));
    expect(idp.to(TOKEN)).toHaveLength(3);
  });
});

describe('HTTP Basic credentials of an OAuth 2.0 client', () => {
  it('reads them as Go does and undoes the form encoding', () => {
    const req = (authorization: string) => request(authorization);
    expect(basicCredentials(req(`bAsIc ${Buffer.from('a:b:c').toString('base64')}`))).toEqual({
      username: 'a',
      password: 'b:c',
    });
    expect(basicCredentials(req(`Basic ${Buffer.from('ab').toString('base64').replace(/=+$/, '')}`))).toBe(
      undefined,
    );
    expect(formUnescape('my+client%2B%3A')).toBe('my client+:');
    expect(formUnescape('100%')).toBe(undefined);
    expect(formEscape("a b+c:!*'()~")).toBe('a+b%2Bc%3A%21%2A%27%28%29~');
  });
});
