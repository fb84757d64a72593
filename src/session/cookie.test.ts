import { describe, expect, it } from 'vitest';
import { decodeSessionCookie, encodeSessionCookie } from './cookie.js';

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
