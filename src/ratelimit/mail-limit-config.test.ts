import { describe, expect, it } from 'vitest';
import { mailLimitRule } from './mail-limit-config.js';

describe('security.mail_limit', () => {
  it('defaults to 5 messages per address per hour', () => {
    expect(mailLimitRule({})).toEqual({ limit: 5, windowMs: 3_600_000 });
    expect(mailLimitRule({ security: { mail_limit: {} } })).toEqual({ limit: 5, windowMs: 3_600_000 });
  });

  it('takes another allowance and window, or none at all', () => {
    expect(mailLimitRule({ security: { mail_limit: { per_address: 20, window: '15m' } } })).toEqual({
      limit: 20,
      windowMs: 900_000,
    });
    expect(mailLimitRule({ security: { mail_limit: { enabled: false } } })).toBeUndefined();
  });
});
