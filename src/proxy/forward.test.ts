import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { requestScheme, upstreamHeaders, upstreamTarget } from './forward.js';
import type { Rule } from './rules/index.js';

function ruleTo(url: string, stripPath = ''): Rule {
  return {
    id: 'r',
    version: '',
    description: '',
    match: { url: 'http://a.test/<.*>', methods: ['GET'] },
    authenticators: [{ handler: 'noop', config: null }],
    authorizer: { handler: 'allow', config: null },
    mutators: [{ handler: 'noop', config: null }],
    errors: null,
    upstream: { url, preserve_host: false, strip_path: stripPath },
  };
}

describe('upstreamTarget (Oathkeeper’s ConfigureBackendURL string join)', () => {
  it.each([
    // [upstream.url, strip_path, request path, upstream path]
    ['http://u/api', '', '/', '/api/'],
    ['http://u/api/', '', '/', '/api/'],
    ['http://u/app/', '', '/x/', '/app/x/'],
    ['http://u/api', '', '/a/b', '/api/a/b'],
    ['http://u/api', '/foo', '/foo', '/api'],
    ['http://u/api', '/foo', '/foo/', '/api/'],
    ['http://u/api', '/foo', '/foo/bar', '/api/bar'],
    ['http://u', '', '/', '/'],
    ['http://u/', '', '/', '/'],
    ['http://u', '/foo', '/foo', '/'],
    ['http://u', '/foo', '/foo/', '/'],
  ])('%s strip %j: %s goes to %s', (url, strip, path, expected) => {
    expect(upstreamTarget(ruleTo(url, strip), path, '')?.path).toBe(expected);
  });

  it('keeps the query after the root’s trailing slash', () => {
    expect(upstreamTarget(ruleTo('http://u/app/'), '/', '?q=1')?.path).toBe('/app/?q=1');
  });
});

function incoming(headers: IncomingHttpHeaders, encrypted: boolean): IncomingMessage {
  const distinct: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) distinct[name] = Array.isArray(value) ? value : [value];
  return { headers, headersDistinct: distinct, socket: { encrypted } } as unknown as IncomingMessage;
}

describe('requestScheme', () => {
  it('never lets a trusted X-Forwarded-Proto: http downgrade a TLS connection (as EnrichRequestedURL)', () => {
    expect(requestScheme(incoming({ 'x-forwarded-proto': 'http' }, true), true)).toBe('https');
    expect(requestScheme(incoming({ 'x-forwarded-proto': 'HTTP' }, true), true)).toBe('https');
  });

  it('takes a trusted X-Forwarded-Proto: https on a plain connection', () => {
    expect(requestScheme(incoming({ 'x-forwarded-proto': 'https' }, false), true)).toBe('https');
    expect(requestScheme(incoming({ 'x-forwarded-proto': 'wss' }, false), true)).toBe('http');
    expect(requestScheme(incoming({}, false), true)).toBe('http');
  });

  it('ignores X-Forwarded-Proto when forwarding headers are not trusted (the deliberate difference)', () => {
    expect(requestScheme(incoming({ 'x-forwarded-proto': 'https' }, false), false)).toBe('http');
    expect(requestScheme(incoming({}, true), false)).toBe('https');
  });
});

describe('upstreamHeaders', () => {
  it('never forwards a client’s Forwarded header (Go’s ReverseProxy deletes it)', () => {
    const out = upstreamHeaders(
      { forwarded: 'for=10.0.0.1;host=admin.internal;proto=https', 'x-forwarded-host': 'app.example' },
      {},
    );
    expect(out.forwarded).toBeUndefined();
    expect(out['x-forwarded-host']).toBe('app.example');
  });

  it('still lets a mutator set Forwarded', () => {
    expect(upstreamHeaders({ forwarded: 'for=evil' }, { Forwarded: 'for=rule' }).forwarded).toBe('for=rule');
  });

  it('drops client headers that read as a mutated header with _ as - (X_User next to X-User)', () => {
    const out = upstreamHeaders(
      { 'x-user': 'admin', x_user: 'admin2', x_user_id: '7', x__user: 'z', x_other: 'kept' },
      { 'X-User': 'anonymous', 'X-User-Id': '1' },
    );
    expect(out['x-user']).toBe('anonymous');
    expect(out['x-user-id']).toBe('1');
    expect(out.x_user).toBeUndefined();
    expect(out.x_user_id).toBeUndefined();
    // Only `_` for `-`, one for one: other names stay.
    expect(out.x__user).toBe('z');
    expect(out.x_other).toBe('kept');
  });

  it('keeps underscore names when no mutator sets the dashed one', () => {
    expect(upstreamHeaders({ x_user: 'a' }, {}).x_user).toBe('a');
  });
});
