import { describe, expect, it } from 'vitest';
import { BRUTE_FORCE_DEFAULTS, DEFAULT_BRUTE_FORCE_CONFIG, resolveBruteForceConfig } from './config.js';

describe('resolveBruteForceConfig', () => {
  it('resolves nothing to the defaults, which match their written form', () => {
    expect(resolveBruteForceConfig(undefined)).toEqual({ ok: true, value: DEFAULT_BRUTE_FORCE_CONFIG });
    expect(resolveBruteForceConfig(BRUTE_FORCE_DEFAULTS)).toEqual({
      ok: true,
      value: DEFAULT_BRUTE_FORCE_CONFIG,
    });
  });

  it('applies defaults key by key', () => {
    const result = resolveBruteForceConfig({
      enabled: false,
      per_ip: { free_attempts: 500 },
      trusted_proxies: ['10.0.0.0/8', '::1'],
    });
    expect(result).toEqual({
      ok: true,
      value: {
        ...DEFAULT_BRUTE_FORCE_CONFIG,
        enabled: false,
        perIp: { ...DEFAULT_BRUTE_FORCE_CONFIG.perIp, freeAttempts: 500 },
        trustedProxies: ['10.0.0.0/8', '::1'],
      },
    });
  });

  it('reports every problem with its key path', () => {
    const result = resolveBruteForceConfig({
      per_identifier: { free_attempts: 0, base_delay: 'soon' },
      per_ip: { max_delay: '2h' },
      trusted_proxies: ['10.0.0.0/8', 'proxy.internal'],
    });
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'security.brute_force.per_identifier.free_attempts', message: expect.any(String) },
        { path: 'security.brute_force.per_identifier.base_delay', message: expect.any(String) },
        { path: 'security.brute_force.per_ip.max_delay', message: 'must not be longer than window' },
        { path: 'security.brute_force.trusted_proxies.1', message: expect.any(String) },
      ],
    });
  });

  it.each([
    [{ base_delay: '0s' }, 'per_identifier.base_delay'],
    [{ base_delay: '1h', max_delay: '1m' }, 'per_identifier.max_delay'],
    [{ free_attempts: 2.5 }, 'per_identifier.free_attempts'],
  ])('rejects %j at %s', (limit, path) => {
    const result = resolveBruteForceConfig({ per_identifier: limit });
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual([
      `security.brute_force.${path}`,
    ]);
  });
});
