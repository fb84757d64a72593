import { describe, expect, it } from 'vitest';
import { claimsFrom } from './claims.js';

describe('claimsFrom', () => {
  it('reads email_verified sent as a string as the boolean it means, as Kratos (Apple sends "true")', () => {
    const apple = claimsFrom('https://appleid.apple.com', {
      sub: '001',
      email: 'a@b.c',
      email_verified: 'true',
    });
    expect(apple.email_verified).toBe(true);
    expect(claimsFrom('https://i', { sub: 's', email_verified: 'false' }).email_verified).toBe(false);
    expect(claimsFrom('https://i', { sub: 's', email_verified: true }).email_verified).toBe(true);
    // The raw claims stay as sent, for mappers that read them.
    expect(apple.raw_claims).toMatchObject({ email_verified: 'true' });
  });
});
