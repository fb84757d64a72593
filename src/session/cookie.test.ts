import { createHmac } from 'node:crypto';
import { parseCookie } from 'cookie';
import { describe, expect, it } from 'vitest';
import { cookieNamed, decodeSessionCookie, encodeSessionCookie, openSessionCookie } from './cookie.js';

const KEYS = ['cookie-secret-one-0123456789', 'cookie-secret-old-0123456789'];

describe('session cookie', () => {
  it('round-trips the token and opens with any key in rotation', () => {
    expect(decodeSessionCookie(encodeSessionCookie('ory_st_abc', KEYS), KEYS)).toBe('ory_st_abc');
    const old = encodeSessionCookie('ory_st_abc', KEYS.slice(1));
    expect(decodeSessionCookie(old, KEYS)).toBe('ory_st_abc');
  });

  it("carries the session's expiry sealed beside the token when written with one", () => {
    const expiresAt = new Date('2026-06-01T12:00:00.900Z');
    const opened = openSessionCookie(encodeSessionCookie('ory_st_abc', KEYS, expiresAt), KEYS);
    expect(opened).toEqual({ token: 'ory_st_abc', expiresAtSeconds: Math.floor(expiresAt.getTime() / 1000) });
    expect(openSessionCookie(encodeSessionCookie('ory_st_abc', KEYS), KEYS)).toEqual({
      token: 'ory_st_abc',
      expiresAtSeconds: undefined,
    });
    expect(decodeSessionCookie(encodeSessionCookie('ory_st_abc', KEYS, expiresAt), KEYS)).toBe('ory_st_abc');
  });

  it('is opaque: the token does not show, and each cookie written differs', () => {
    const token = 'ory_st_0123456789abcdefghijklmnopqrstuv';
    const first = encodeSessionCookie(token, KEYS);
    const second = encodeSessionCookie(token, KEYS);
    expect(first).not.toContain('ory_st_');
    expect(Buffer.from(first.slice(3), 'base64url').toString('latin1')).not.toContain('0123456789');
    expect(first).not.toBe(second);
    expect(first).toMatch(/^s1\.[A-Za-z0-9_-]+$/);
  });

  it('refuses forged, tampered, truncated and foreign-key cookies', () => {
    const good = encodeSessionCookie('ory_st_abc', KEYS);
    const raw = Buffer.from(good.slice(3), 'base64url');
    for (const at of [0, 12, raw.length - 1]) {
      const flipped = Buffer.from(raw);
      flipped[at] = (flipped[at] ?? 0) ^ 1;
      expect(decodeSessionCookie(`s1.${flipped.toString('base64url')}`, KEYS)).toBeUndefined();
    }
    expect(decodeSessionCookie(`s1.${raw.subarray(0, 28).toString('base64url')}`, KEYS)).toBeUndefined();
    expect(decodeSessionCookie('s1.', KEYS)).toBeUndefined();
    expect(decodeSessionCookie('ory_st_abc', KEYS)).toBeUndefined();
    expect(
      decodeSessionCookie(encodeSessionCookie('ory_st_abc', ['another-secret-0123456789']), KEYS),
    ).toBeUndefined();
    expect(decodeSessionCookie(undefined, KEYS)).toBeUndefined();
    expect(decodeSessionCookie('.', KEYS)).toBeUndefined();
  });

  it('still reads a cookie signed before cookies were sealed, and only with a valid signature', () => {
    const signed = (token: string, key: string) =>
      `${token}.${createHmac('sha256', key).update(`session-cookie:${token}`).digest('base64url')}`;
    expect(decodeSessionCookie(signed('ory_st_abc', KEYS[1] ?? ''), KEYS)).toBe('ory_st_abc');
    expect(decodeSessionCookie(signed('ory_st_abc', 'another-secret-0123456789'), KEYS)).toBeUndefined();
    expect(
      decodeSessionCookie(signed('ory_st_abc', KEYS[0] ?? '').replace('abc', 'abd'), KEYS),
    ).toBeUndefined();
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
