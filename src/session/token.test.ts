import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deriveLogoutToken,
  generateToken,
  LOGOUT_TOKEN_PREFIX,
  SESSION_TOKEN_PREFIX,
  tokenHash,
  tokenHashes,
} from './token.js';

describe('session tokens', () => {
  it('are prefixed, 32 base62 characters long, and never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateToken(SESSION_TOKEN_PREFIX)));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(/^ory_st_[A-Za-z0-9]{32}$/);
  });

  it('hash with the first key for storage and with every key for lookups', () => {
    const token = generateToken(SESSION_TOKEN_PREFIX);
    const [current, old] = tokenHashes(token, ['new-secret-0123456789', 'old-secret-0123456789']);
    expect(tokenHash(token, ['new-secret-0123456789', 'old-secret-0123456789'])).toBe(current);
    expect(tokenHash(token, ['old-secret-0123456789'])).toBe(old);
    expect(current).not.toBe(old);
    expect(current).not.toContain(token);
  });

  it('are the HMAC-SHA256 stored hashes have always been (keys as UTF-8 text)', () => {
    const token = generateToken(SESSION_TOKEN_PREFIX);
    const key = 'clé-secrète-0123456789';
    expect(tokenHash(token, [key])).toBe(createHmac('sha256', key).update(token).digest('base64url'));
    const logout = deriveLogoutToken(token, key);
    const digest = createHmac('sha256', key).update(`logout:${token}`).digest();
    expect(logout).toBe(
      LOGOUT_TOKEN_PREFIX +
        [...digest]
          .map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[b % 62])
          .join(''),
    );
  });
});
