import { describe, expect, it } from 'vitest';
import { generateToken, SESSION_TOKEN_PREFIX, tokenHash, tokenHashes } from './token.js';

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
});
