import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CSRF_COOKIE_MAX_AGE_SECONDS,
  csrfCookieName,
  decodeCsrfCookie,
  encodeCsrfCookie,
  generateCsrfSecret,
  maskCsrfToken,
  verifyCsrfToken,
} from './csrf.js';

const keys = ['current-cookie-secret-0123456789', 'previous-cookie-secret-012345678'];

describe('masked tokens', () => {
  it('verify against the secret they were made from', () => {
    const secret = generateCsrfSecret();
    expect(secret).toHaveLength(32);
    const masked = maskCsrfToken(secret);
    expect(masked).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(verifyCsrfToken(secret, masked)).toBe(true);
  });

  it('differ on every call and all verify', () => {
    const secret = generateCsrfSecret();
    const tokens = Array.from({ length: 50 }, () => maskCsrfToken(secret));
    expect(new Set(tokens).size).toBe(50);
    for (const token of tokens) expect(verifyCsrfToken(secret, token)).toBe(true);
  });

  it("use nosurf's layout: pad first, then secret XOR pad", () => {
    const secret = generateCsrfSecret();
    const bytes = Buffer.from(maskCsrfToken(secret), 'base64');
    const pad = bytes.subarray(0, 32);
    const unmasked = Buffer.from(bytes.subarray(32).map((byte, i) => byte ^ (pad[i] ?? 0)));
    expect(unmasked.equals(secret)).toBe(true);
  });

  it('fail for another secret', () => {
    expect(verifyCsrfToken(generateCsrfSecret(), maskCsrfToken(generateCsrfSecret()))).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['garbage', 'not a token at all'],
    ['the bare secret (unmasked)', 'SECRET'],
    ['too short', 'SHORT'],
    ['too long', 'LONG'],
    ['one bit flipped in the masked half', 'FLIP_MASKED'],
    ['one bit flipped in the pad', 'FLIP_PAD'],
    ['base64url instead of base64', 'URLSAFE'],
    ['missing padding', 'NOPAD'],
    ['surrounding whitespace', 'SPACES'],
  ])('fail when %s', (_name, kind) => {
    const secret = generateCsrfSecret();
    const good = maskCsrfToken(secret);
    const bytes = Buffer.from(good, 'base64');
    const flip = (index: number) => {
      const copy = Buffer.from(bytes);
      copy[index] = (copy[index] ?? 0) ^ 1;
      return copy.toString('base64');
    };
    const tokens: Record<string, string | undefined> = {
      SECRET: secret.toString('base64'),
      SHORT: bytes.subarray(0, 48).toString('base64'),
      LONG: Buffer.concat([bytes, Buffer.alloc(3)]).toString('base64'),
      FLIP_MASKED: flip(40),
      FLIP_PAD: flip(3),
      URLSAFE: bytes.toString('base64url'),
      NOPAD: good.replace(/=+$/, ''),
      SPACES: ` ${good} `,
    };
    const token = kind === undefined ? undefined : (tokens[kind] ?? kind);
    expect(verifyCsrfToken(secret, token)).toBe(false);
  });

  it('fail against a secret of the wrong length instead of throwing', () => {
    expect(verifyCsrfToken(Buffer.alloc(16), maskCsrfToken(generateCsrfSecret()))).toBe(false);
  });

  it('refuse to mask a secret of the wrong length', () => {
    expect(() => maskCsrfToken(Buffer.alloc(31))).toThrow(RangeError);
  });
});

describe('the CSRF cookie', () => {
  it('round-trips the secret', () => {
    const secret = generateCsrfSecret();
    const value = encodeCsrfCookie(secret, keys);
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(decodeCsrfCookie(value, keys)?.equals(secret)).toBe(true);
  });

  it('signs with the first key and still accepts cookies signed with an older one', () => {
    const secret = generateCsrfSecret();
    const signedBefore = encodeCsrfCookie(secret, [keys[1] ?? '']);
    expect(decodeCsrfCookie(signedBefore, keys)?.equals(secret)).toBe(true);
    expect(encodeCsrfCookie(secret, keys)).not.toBe(signedBefore);
  });

  it('fails once the signing key is removed from the ring', () => {
    const value = encodeCsrfCookie(generateCsrfSecret(), keys);
    expect(decodeCsrfCookie(value, [keys[1] ?? ''])).toBeUndefined();
  });

  it('fails for a cookie signed with an unknown key', () => {
    const value = encodeCsrfCookie(generateCsrfSecret(), ['an-attacker-key']);
    expect(decodeCsrfCookie(value, keys)).toBeUndefined();
  });

  it('fails when the secret is swapped under a valid signature', () => {
    const [, mac] = encodeCsrfCookie(generateCsrfSecret(), keys).split('.');
    expect(decodeCsrfCookie(`${randomBytes(32).toString('base64url')}.${mac}`, keys)).toBeUndefined();
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a bare nosurf cookie', randomBytes(32).toString('base64')],
    ['no signature', `${randomBytes(32).toString('base64url')}.`],
    ['three parts', `${randomBytes(32).toString('base64url')}.a.b`],
    ['a short secret', `${randomBytes(16).toString('base64url')}.${randomBytes(32).toString('base64url')}`],
    ['garbage', '%%%.%%%'],
  ])('fails when %s', (_name, value) => {
    expect(decodeCsrfCookie(value, keys)).toBeUndefined();
  });

  it('fails when a character of the signature changes', () => {
    const value = encodeCsrfCookie(generateCsrfSecret(), keys);
    const last = value.at(-1) === 'A' ? 'B' : 'A';
    expect(decodeCsrfCookie(value.slice(0, -1) + last, keys)).toBeUndefined();
  });

  it('cannot be made without a key', () => {
    expect(() => encodeCsrfCookie(generateCsrfSecret(), [])).toThrow(/secrets.cookie/);
  });

  it('lives for a year, as in nosurf', () => {
    expect(CSRF_COOKIE_MAX_AGE_SECONDS).toBe(31_536_000);
  });
});

describe('csrfCookieName', () => {
  it("is Kratos's name: csrf_token_ + SHA-256 of the public base URL", () => {
    // The name every Kratos quickstart (base_url http://127.0.0.1:4433/) sets.
    expect(csrfCookieName('http://127.0.0.1:4433/')).toBe(
      'csrf_token_806060ca5bf70dff3caa0e5c860002aade9d470a5a4dce73bcfa7ba10778f481',
    );
    expect(csrfCookieName(new URL('http://127.0.0.1:4433'))).toBe(csrfCookieName('http://127.0.0.1:4433/'));
  });

  it('hashes the configured text as Go prints it, which lower-cases only the scheme', () => {
    expect(csrfCookieName('HTTP://127.0.0.1:4433/')).toBe(csrfCookieName('http://127.0.0.1:4433/'));
    expect(csrfCookieName('http://127.0.0.1:4433')).not.toBe(csrfCookieName('http://127.0.0.1:4433/'));
  });

  it("matches Kratos's TestNosurfBaseCookieHandler vector", () => {
    expect(csrfCookieName('http://foo.com/bar')).toBe(
      'csrf_token_01c86631efd1537ee34a98e75884a6e21dd8e2d9e944934bca21204106bfd32f',
    );
  });
});
