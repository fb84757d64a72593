import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { createReturnToValidator } from './return-to.js';

const validator = createReturnToValidator({
  allowedReturnUrls: [
    'https://app.example.com/cb',
    'https://app.example.com:8443/',
    'https://*.tenants.example.org',
    'http://localhost:3000/',
    'exp://localhost:8081/--/Callback',
    'com.example.app:/oauth',
  ],
  defaultReturnUrl: 'https://app.example.com/welcome',
  publicBaseUrl: 'https://auth.example.com/',
});

describe('createReturnToValidator', () => {
  it('returns the default return URL when return_to is absent or empty', () => {
    expect(validator.resolve(undefined).href).toBe('https://app.example.com/welcome');
    expect(validator.resolve('').href).toBe('https://app.example.com/welcome');
  });

  it('hands out a fresh URL each time, so a caller cannot change the default for the next one', () => {
    const first = validator.resolve(undefined);
    first.pathname = '/changed';
    expect(validator.resolve(undefined).href).toBe('https://app.example.com/welcome');
  });

  it.each([
    ['the entry itself', 'https://app.example.com/cb', 'https://app.example.com/cb'],
    [
      'a path below the entry',
      'https://app.example.com/cb/x?state=1#top',
      'https://app.example.com/cb/x?state=1#top',
    ],
    ['a trailing slash below the entry', 'https://app.example.com/cb/', 'https://app.example.com/cb/'],
    ['upper-case scheme and host', 'HTTPS://APP.Example.COM/cb', 'https://app.example.com/cb'],
    ['the default port written out', 'https://app.example.com:443/cb', 'https://app.example.com/cb'],
    [
      'dot segments that stay inside',
      'https://app.example.com/cb/a/../b/./c',
      'https://app.example.com/cb/b/c',
    ],
    ['a relative path, resolved against the default', '/cb/next', 'https://app.example.com/cb/next'],
    ['a scheme-relative URL to an allowed host', '//app.example.com/cb', 'https://app.example.com/cb'],
    [
      'an entry with a port and the root path',
      'https://app.example.com:8443/any/where',
      'https://app.example.com:8443/any/where',
    ],
    [
      'a subdomain under a wildcard',
      'https://acme.tenants.example.org/home',
      'https://acme.tenants.example.org/home',
    ],
    [
      'a deeper subdomain under a wildcard',
      'https://a.b.tenants.example.org/',
      'https://a.b.tenants.example.org/',
    ],
    ['plain http when listed', 'http://localhost:3000/dashboard', 'http://localhost:3000/dashboard'],
    [
      'a native app scheme when listed',
      'exp://localhost:8081/--/Callback',
      'exp://localhost:8081/--/Callback',
    ],
    [
      'a native app scheme with a query',
      'exp://localhost:8081/--/Callback?code=1',
      'exp://localhost:8081/--/Callback?code=1',
    ],
    ['a reverse-DNS app scheme when listed', 'com.example.app:/oauth/done', 'com.example.app:/oauth/done'],
    ['the default return URL', 'https://app.example.com/welcome?x=1', 'https://app.example.com/welcome?x=1'],
    [
      'the public URL self-service endpoints',
      'https://auth.example.com/self-service/login/browser',
      'https://auth.example.com/self-service/login/browser',
    ],
    [
      'percent-encoded slashes in the query',
      'https://app.example.com/cb?next=%2Fhome',
      'https://app.example.com/cb?next=%2Fhome',
    ],
  ])('allows %s', (_name, returnTo, expected) => {
    expect(validator.resolve(returnTo).href).toBe(expected);
    expect(validator.isAllowed(returnTo)).toBe(true);
  });

  it.each([
    ['a sibling path sharing a prefix', 'https://app.example.com/cbx'],
    ['a path outside the entry', 'https://app.example.com/admin'],
    ['dot segments that climb out', 'https://app.example.com/cb/../admin'],
    ['encoded dot segments that climb out', 'https://app.example.com/cb/%2e%2e/admin'],
    ['an encoded slash in the path', 'https://app.example.com/cb/..%2Fadmin'],
    ['an encoded backslash in the path', 'https://app.example.com/cb/..%5cadmin'],
    ['another scheme for a listed host', 'http://app.example.com/cb'],
    ['another port for a listed host', 'https://app.example.com:8444/cb'],
    ['a scheme-relative URL to another host', '//evil.com'],
    ['a slash-backslash URL', '/\\evil.com'],
    ['a double-backslash URL', '\\\\evil.com'],
    ['a backslash after the scheme', 'https:\\\\evil.com'],
    ['a tab between slashes', '/\t/evil.com'],
    ['a newline between slashes', '/\n/evil.com'],
    ['a NUL byte', 'https://app.example.com/cb\u0000'],
    ['a host with the allowed host as prefix', 'https://app.example.com.evil.com/cb'],
    ['the allowed host as user name', 'https://app.example.com@evil.com/cb'],
    ['an empty user name', 'https://@app.example.com/cb'],
    ['user name and password on an allowed host', 'https://user:pass@app.example.com/cb'],
    ['an encoded slash in the authority', 'https://app.example.com%2F@evil.com/cb'],
    ['an encoded dot in the authority', 'https://app%2Eexample.com/cb'],
    ['an encoded slash in a native app authority', 'exp://evil.com%2F.localhost:8081/--/Callback'],
    ['javascript:', 'javascript:alert(document.domain)'],
    ['javascript: with upper case and spaces', ' JavaScript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['a scheme that is not listed', 'ftp://app.example.com/cb'],
    ['a native app scheme with another path', 'exp://localhost:8081/--/Other'],
    ['a native app scheme on another host', 'exp://evil.com:8081/--/Callback'],
    ['the wildcard parent itself', 'https://tenants.example.org/'],
    ['a wildcard look-alike', 'https://eviltenants.example.org/'],
    ['a literal star host', 'https://*.tenants.example.org/'],
    ['a look-alike Unicode host', 'https://аpp.example.com/cb'],
    ['a trailing dot host', 'https://app.example.com./cb'],
    ['the public URL outside /self-service', 'https://auth.example.com/admin'],
    ['a prefix of /self-service', 'https://auth.example.com/self-servicex'],
    ['a path below the default return URL', 'https://app.example.com/welcome/more'],
    ['an unparsable URL', 'https://exa mple.com/'],
  ])('refuses %s', (_name, returnTo) => {
    expect(validator.isAllowed(returnTo)).toBe(false);
    expect(() => validator.resolve(returnTo)).toThrow(AppError);
  });

  it("throws Kratos's error with the URL quoted in the reason", () => {
    let caught: unknown;
    try {
      validator.resolve('https://evil.com/x');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).toJSON()).toEqual({
      error: {
        id: 'self_service_flow_return_to_forbidden',
        code: 400,
        status: 'Bad Request',
        reason: 'Requested return_to URL "https://evil.com/x" is not allowed.',
        message: 'The request was malformed or contained invalid parameters',
      },
    });
  });

  it('quotes relative URLs as the absolute URL they resolve to, as Kratos does', () => {
    expect(() => validator.resolve('/nope')).toThrow(
      expect.objectContaining({
        reason: 'Requested return_to URL "https://app.example.com/nope" is not allowed.',
      }),
    );
  });

  it('allows only the default return URL and /self-service when nothing is listed', () => {
    const strict = createReturnToValidator({
      allowedReturnUrls: [],
      defaultReturnUrl: '/ui/welcome',
      publicBaseUrl: new URL('http://127.0.0.1:4433/'),
    });
    expect(strict.resolve(undefined).href).toBe('http://127.0.0.1:4433/ui/welcome');
    expect(strict.resolve('/ui/welcome').href).toBe('http://127.0.0.1:4433/ui/welcome');
    expect(strict.resolve('/self-service/login/browser').href).toBe(
      'http://127.0.0.1:4433/self-service/login/browser',
    );
    expect(strict.isAllowed('/ui/settings')).toBe(false);
    expect(strict.isAllowed('http://127.0.0.1:4455/')).toBe(false);
  });

  it('keeps /self-service under a public base URL with a path', () => {
    const prefixed = createReturnToValidator({
      allowedReturnUrls: [],
      defaultReturnUrl: 'https://app.example.com/',
      publicBaseUrl: 'https://example.com/.ory/kratos/public',
    });
    expect(prefixed.isAllowed('https://example.com/.ory/kratos/public/self-service/login')).toBe(true);
    expect(prefixed.isAllowed('https://example.com/self-service/login')).toBe(false);
  });

  it('leaves out and reports entries it cannot use safely', () => {
    const { ignored } = createReturnToValidator({
      allowedReturnUrls: [
        '',
        'https://*',
        'https://*.com',
        'https://*.co.uk',
        'https://*.github.io',
        'https://*evil.com',
        'https://a.*.example.com',
        'https://user@app.example.com',
        'javascript:alert(1)',
        'https://ok.example.com',
        'https://*.example.co.uk',
      ],
      defaultReturnUrl: 'https://ok.example.com/',
      publicBaseUrl: 'https://auth.example.com/',
    });
    expect(ignored.map((item) => item.entry)).toEqual([
      'https://*',
      'https://*.com',
      'https://*.co.uk',
      'https://*.github.io',
      'https://*evil.com',
      'https://a.*.example.com',
      'https://user@app.example.com',
      'javascript:alert(1)',
    ]);
    for (const item of ignored) expect(item.reason).not.toBe('');
  });

  it('resolves relative entries against the default return URL', () => {
    const relative = createReturnToValidator({
      allowedReturnUrls: ['/account'],
      defaultReturnUrl: 'https://app.example.com/',
      publicBaseUrl: 'https://auth.example.com/',
    });
    expect(relative.resolve('/account/profile').href).toBe('https://app.example.com/account/profile');
    expect(relative.isAllowed('https://auth.example.com/account')).toBe(false);
  });
});
