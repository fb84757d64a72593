import { describe, expect, it } from 'vitest';
import { normaliseRequestTarget, normaliseUrl } from './url.js';

function ok(url: string): string {
  const result = normaliseUrl(url);
  if (!result.ok) throw new Error(`${url} refused: ${result.reason}`);
  return result.url.href;
}

function refused(url: string): string {
  const result = normaliseUrl(url);
  if (result.ok) throw new Error(`${url} accepted as ${result.url.href}`);
  return result.reason;
}

describe('normaliseUrl', () => {
  it.each([
    ['http://app.example.com/public/../admin', 'http://app.example.com/admin'],
    ['http://app.example.com/public/./a/./b', 'http://app.example.com/public/a/b'],
    ['http://app.example.com/../../admin', 'http://app.example.com/admin'],
    ['http://app.example.com/a/..', 'http://app.example.com/'],
    ['http://app.example.com/a/.', 'http://app.example.com/a/'],
    ['http://app.example.com//admin', 'http://app.example.com/admin'],
    ['http://app.example.com/a//b///c/', 'http://app.example.com/a/b/c/'],
    ['http://app.example.com/%61dmin', 'http://app.example.com/admin'],
    ['http://app.example.com/%7Euser/a%2Db', 'http://app.example.com/~user/a-b'],
    ['http://app.example.com/a%2eb', 'http://app.example.com/a.b'],
    ['http://app.example.com/caf%c3%a9', 'http://app.example.com/caf%C3%A9'],
    ['http://app.example.com/café', 'http://app.example.com/caf%C3%A9'],
    ['http://app.example.com/a b', 'http://app.example.com/a%20b'],
    ['http://app.example.com/a%3Fb?x=%2F&y=1', 'http://app.example.com/a%3Fb?x=%2F&y=1'],
    ['HTTP://App.Example.COM/Path', 'http://app.example.com/Path'],
    ['http://app.example.com./x', 'http://app.example.com/x'],
    ['http://app.example.com:80/', 'http://app.example.com/'],
    ['https://app.example.com:443/', 'https://app.example.com/'],
    ['http://app.example.com:443/', 'http://app.example.com:443/'],
    ['http://app.example.com:8080', 'http://app.example.com:8080/'],
    ['http://[::1]:4455/x', 'http://[::1]:4455/x'],
    ['http://0x7f.1/', 'http://127.0.0.1/'],
    ['http://bücher.example/', 'http://xn--bcher-kva.example/'],
  ])('%s -> %s', (input, expected) => {
    expect(ok(input)).toBe(expected);
  });

  it('keeps the case of the path (paths are case-sensitive)', () => {
    expect(ok('http://app.example.com/ADMIN')).toBe('http://app.example.com/ADMIN');
  });

  it.each([
    ['http://app.example.com/public/%2e%2e/admin', 'encoded_dot_segment'],
    ['http://app.example.com/public/.%2E/admin', 'encoded_dot_segment'],
    ['http://app.example.com/public/%2e/admin', 'encoded_dot_segment'],
    ['http://app.example.com/public%2f..%2fadmin', 'encoded_slash'],
    ['http://app.example.com/public%2F..%2Fadmin', 'encoded_slash'],
    ['http://app.example.com/public\\..\\admin', 'backslash'],
    ['http://app.example.com/public%5c..%5cadmin', 'backslash'],
    ['http://app.example.com/admin%00.html', 'nul'],
    ['http://app.example.com/admin\0', 'nul'],
    ['http://app.example.com/a%0d%0aSet-Cookie:x', 'control_character'],
    ['http://app.example.com/a\tb', 'control_character'],
    ['http://app.example.com/a%zz', 'invalid_percent_encoding'],
    ['http://app.example.com/a%2', 'invalid_percent_encoding'],
    ['http://app.example.com/a#frag', 'fragment'],
    ['ftp://app.example.com/', 'unsupported_scheme'],
    ['http://user@app.example.com/', 'invalid_host'],
    ['http://app.example.com:99999/', 'invalid_host'],
    ['http://app..example.com../', 'invalid_host'],
    ['/relative', 'invalid'],
    [`http://app.example.com/${'a'.repeat(5000)}`, 'too_long'],
  ])('%s is refused (%s)', (input, reason) => {
    expect(refused(input)).toBe(reason);
  });

  it('honours a smaller length cap', () => {
    expect(normaliseUrl('http://a.example/abcdef', { maxLength: 10 })).toMatchObject({
      ok: false,
      reason: 'too_long',
    });
  });

  it('gives the match target without the query', () => {
    const result = normaliseUrl('https://App.example.com:443/a/../b?q=1');
    expect(result).toMatchObject({
      ok: true,
      url: {
        scheme: 'https',
        hostname: 'app.example.com',
        port: '',
        host: 'app.example.com',
        path: '/b',
        query: '?q=1',
        matchTarget: 'https://app.example.com/b',
      },
    });
  });
});

describe('normaliseRequestTarget', () => {
  it('builds the URL from scheme, Host header and request-target', () => {
    const result = normaliseRequestTarget({
      scheme: 'http',
      host: 'App.Example.com:80',
      target: '/x/../y?z',
    });
    expect(result).toMatchObject({ ok: true, url: { href: 'http://app.example.com/y?z' } });
  });

  it('refuses a Host header smuggling a path or credentials', () => {
    for (const host of ['a.example/admin', 'evil@a.example', 'a.example\\x', 'a example', '']) {
      expect(normaliseRequestTarget({ scheme: 'http', host, target: '/' })).toMatchObject({
        ok: false,
        reason: 'invalid_host',
      });
    }
  });

  it('refuses an absolute-form or asterisk target', () => {
    expect(normaliseRequestTarget({ scheme: 'http', host: 'a.example', target: '*' })).toMatchObject({
      ok: false,
    });
  });
});

describe('normalisation shortcuts', () => {
  const paths = [
    '/',
    '/a',
    '/a/',
    '/dashboard',
    '/users/42/profile',
    "/a-b_c.d~e/f!$&'()*+,;=:@g",
    '/.well-known/jwks.json',
    '/...',
    '/..a/.b',
    '/a/b/c/',
  ];

  it.each(paths)('returns the already normal path %s as it is, as the full normalisation would', (path) => {
    expect(ok(`http://app.example.com${path}`)).toBe(`http://app.example.com${path}`);
    // The same path with every letter percent-encoded takes the full path: it decodes them back.
    const encoded = path.replace(/[A-Za-z]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    expect(ok(`http://app.example.com${encoded}`)).toBe(`http://app.example.com${path}`);
  });

  it('still normalises what is not already normal', () => {
    expect(ok('http://app.example.com/a//b')).toBe('http://app.example.com/a/b');
    expect(ok('http://app.example.com/a/./b/../c')).toBe('http://app.example.com/a/c');
    expect(ok('http://app.example.com/.')).toBe('http://app.example.com/');
    expect(ok('http://app.example.com/a/..')).toBe('http://app.example.com/');
    expect(refused('http://app.example.com/a\\b')).toBe('backslash');
  });

  it('answers a host seen before as the first time, past its bound of remembered hosts too', () => {
    const host = (i: number) => `Host-${i}.Example.com:80`;
    const first = normaliseRequestTarget({ scheme: 'http', host: host(0), target: '/' });
    for (let i = 1; i < 600; i++) normaliseRequestTarget({ scheme: 'http', host: host(i), target: '/' });
    for (const i of [0, 1, 599]) {
      for (const scheme of ['http', 'https']) {
        const result = normaliseRequestTarget({ scheme, host: host(i), target: '/' });
        const port = scheme === 'http' ? '' : ':80';
        expect(result).toMatchObject({
          ok: true,
          url: { href: `${scheme}://host-${i}.example.com${port}/` },
        });
      }
    }
    expect(normaliseRequestTarget({ scheme: 'http', host: host(0), target: '/' })).toEqual(first);
    for (let i = 0; i < 2; i++)
      expect(normaliseRequestTarget({ scheme: 'http', host: 'evil@a.example', target: '/' })).toMatchObject({
        ok: false,
        reason: 'invalid_host',
      });
  });
});
