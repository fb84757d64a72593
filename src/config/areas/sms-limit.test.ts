import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../types.js';
import { smsLimitConfig } from './sms-limit.js';

const withSmsLimit = (sms_limit: unknown) => ({ security: { sms_limit } }) as KratosConfigDocument;

describe('security.sms_limit', () => {
  it('is on without a word in the config: 10 SMS per client IP and 200 in all, per hour', () => {
    expect(smsLimitConfig({})).toEqual({
      ok: true,
      value: {
        enabled: true,
        perIp: { limit: 10, windowMs: 3_600_000 },
        total: { limit: 200, windowMs: 3_600_000 },
      },
    });
  });

  it('takes the caps and the window as written, and can be turned off', () => {
    expect(smsLimitConfig(withSmsLimit({ per_ip: 3, total: 1000, window: '24h' }))).toEqual({
      ok: true,
      value: {
        enabled: true,
        perIp: { limit: 3, windowMs: 86_400_000 },
        total: { limit: 1000, windowMs: 86_400_000 },
      },
    });
    expect(smsLimitConfig(withSmsLimit({ enabled: false }))).toMatchObject({
      ok: true,
      value: { enabled: false },
    });
  });

  it('refuses a cap set wrong, naming every key, rather than leave SMS unbounded', () => {
    expect(
      smsLimitConfig(withSmsLimit({ per_ip: 0, total: 2.5, window: 'hourly', enabled: 'yes', perip: 3 })),
    ).toEqual({
      ok: false,
      issues: [
        { path: 'security.sms_limit.perip', message: 'is not a known key' },
        { path: 'security.sms_limit.enabled', message: 'must be true or false' },
        { path: 'security.sms_limit.per_ip', message: 'must be a whole number of at least 1' },
        { path: 'security.sms_limit.total', message: 'must be a whole number of at least 1' },
        { path: 'security.sms_limit.window', message: 'must be a duration of at least 1ms, such as 1h' },
      ],
    });
  });
});
