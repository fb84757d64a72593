import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { BRUTE_FORCE_DEFAULTS } from './config.js';
import { BRUTE_FORCE_CONFIG_SCHEMA } from './config-schema.js';

describe('BRUTE_FORCE_CONFIG_SCHEMA', () => {
  const validate = new Ajv({ strict: true }).compile(BRUTE_FORCE_CONFIG_SCHEMA);

  it('accepts the defaults, an empty object and a full example', () => {
    expect(validate(BRUTE_FORCE_DEFAULTS)).toBe(true);
    expect(validate({})).toBe(true);
    const full = {
      enabled: true,
      per_identifier: { free_attempts: 10, base_delay: '500ms', max_delay: '30m', window: '2h' },
      per_ip: { free_attempts: 1000, base_delay: '1s', max_delay: '1m', window: '1h' },
      trusted_proxies: ['10.0.0.0/8', '2001:db8::/32'],
    };
    expect(validate(full)).toBe(true);
  });

  it.each([
    { per_identifier: { free_attempts: 0 } },
    { per_identifier: { window: '1 hour' } },
    { per_ip: { max_delay: 60 } },
    { per_ip: { burst: 3 } },
    { trusted_proxies: '10.0.0.0/8' },
    { enabled: 'yes' },
    { lockout: true },
  ])('rejects %j', (value) => {
    expect(validate(value)).toBe(false);
  });

  it('states the same defaults as BRUTE_FORCE_DEFAULTS', () => {
    const withDefaults = (limit: object) => ({
      properties: Object.fromEntries(Object.entries(limit).map(([key, value]) => [key, { default: value }])),
    });
    expect(BRUTE_FORCE_CONFIG_SCHEMA).toMatchObject({
      properties: {
        enabled: { default: BRUTE_FORCE_DEFAULTS.enabled },
        per_identifier: withDefaults(BRUTE_FORCE_DEFAULTS.per_identifier),
        per_ip: withDefaults(BRUTE_FORCE_DEFAULTS.per_ip),
        trusted_proxies: { default: [] },
      },
    });
  });
});
