import { parseCookie } from 'cookie';
import { describe, expect, it } from 'vitest';
import { cookieNamed, decodeSessionCookie, encodeSessionCookie } from './cookie.js';

const KEYS = ['cookie-secret-one-0123456789', 'cookie-secret-old-0123456789'];

describe('session cookie', () => {
  it('round-trips the token and verifies with any key in rotation', () => {
    expect(decodeSessionCookie(encodeSessionCookie('ory_st_abc', KEYS), KEYS)).toBe('ory_st_abc');
    const old = encodeSessionCookie('ory_st_abc', KEYS.slice(1));
    expect(decodeSessionCookie(old, KEYS)).toBe('ory_st_abc');
  });

  it('refuses forged, tampered, unsigned and foreign-key cookies', () => {
    const good = encodeSessionCookie('ory_st_abc', KEYS);
    expect(decodeSessionCookie(good.replace('abc', 'abd'), KEYS)).toBeUndefined();
    expect(decodeSessionCookie('ory_st_abc', KEYS)).toBeUndefined();
    expect(decodeSessionCookie(`${good}x`, KEYS)).toBeUndefined();
    expect(
      decodeSessionCookie(encodeSessionCookie('ory_st_abc', ['another-secret-0123456789']), KEYS),
    ).toBeUndefined();
    expect(decodeSessionCookie(undefined, KEYS)).toBeUndefined();
    expect(decodeSessionCookie('.', KEYS)).toBeUndefined();
  });
});

describe('cookieNamed', () => {
  // What @fastify/cookie's hook would have put in request.cookies, for the same header.
  const headers = [
    'ory_kratos_session=abc.def',
    'a=1; ory_kratos_session=abc.def; b=2',
    ' ory_kratos_session = abc.def ;x=y',
    '\tory_kratos_session=\tabc.def\t',
    'ory_kratos_session=first; ory_kratos_session=second',
    'junk; ory_kratos_session=abc',
    'junk;;; =; ory_kratos_session=abc',
    'noequals',
    'a=b;noequals;ory_kratos_session=v',
    'ory_kratos_session=a%20b%3D',
    'ory_kratos_session=bad%zz',
    'ory_kratos_session=',
    'ory_kratos_session',
    'ory_kratos_session_other=1; xory_kratos_session=2',
    '"ory_kratos_session"=q; ory_kratos_session="quoted"',
    '',
    '=',
    'x',
  ];

  it.each(headers)('reads %j as parseCookie does', (header) => {
    expect(cookieNamed(header, 'ory_kratos_session')).toBe(parseCookie(header).ory_kratos_session);
  });

  it('answers undefined without a header', () => {
    expect(cookieNamed(undefined, 'ory_kratos_session')).toBeUndefined();
  });
});
