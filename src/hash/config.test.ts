import { describe, expect, it } from 'vitest';
import {
  ARGON2_DEFAULTS,
  argon2Params,
  BCRYPT_DEFAULTS,
  bcryptCost,
  DEFAULT_HASHER_CONFIG,
  resolveHasherConfig,
} from './config.js';
import { InvalidHasherConfigError } from './errors.js';

describe('defaults', () => {
  it('are argon2id with the OWASP parameters', () => {
    expect(DEFAULT_HASHER_CONFIG.algorithm).toBe('argon2');
    expect(argon2Params(ARGON2_DEFAULTS)).toEqual({
      memoryKiB: 19456,
      iterations: 2,
      parallelism: 1,
      saltLength: 16,
      keyLength: 32,
    });
    expect(BCRYPT_DEFAULTS.cost).toBe(12);
  });
});

describe('resolveHasherConfig', () => {
  it('fills missing keys and keeps given ones', () => {
    const config = resolveHasherConfig({
      algorithm: 'bcrypt',
      argon2: { memory: '64MB', expected_duration: '500ms' },
      bcrypt: { cost: 10 },
    });
    expect(config).toEqual({
      algorithm: 'bcrypt',
      argon2: { ...ARGON2_DEFAULTS, memory: '64MB' },
      bcrypt: { cost: 10 },
    });
    expect(resolveHasherConfig()).toEqual(DEFAULT_HASHER_CONFIG);
  });
});

describe('argon2Params', () => {
  it('reads memory in Kratos byte units', () => {
    expect(argon2Params({ ...ARGON2_DEFAULTS, memory: '19456KB' }).memoryKiB).toBe(19456);
    expect(argon2Params({ ...ARGON2_DEFAULTS, memory: '128MB' }).memoryKiB).toBe(131072);
  });

  it.each([
    ['hashers.argon2.memory', { memory: '19 MiB' }],
    ['hashers.argon2.memory (KiB)', { memory: '16KB', parallelism: 4 }],
    ['hashers.argon2.iterations', { iterations: 0 }],
    ['hashers.argon2.parallelism', { parallelism: 1.5 }],
    ['hashers.argon2.salt_length', { salt_length: 8 }],
    ['hashers.argon2.key_length', { key_length: 12 }],
  ])('rejects a bad %s', (key, override) => {
    const run = (): unknown => argon2Params({ ...ARGON2_DEFAULTS, ...override });
    expect(run).toThrow(InvalidHasherConfigError);
    try {
      run();
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_hasher_config', key });
    }
  });
});

describe('bcryptCost', () => {
  it('accepts 4 to 31', () => {
    expect(bcryptCost({ cost: 4 })).toBe(4);
    expect(bcryptCost({ cost: 31 })).toBe(31);
    expect(() => bcryptCost({ cost: 3 })).toThrow(InvalidHasherConfigError);
    expect(() => bcryptCost({ cost: 32 })).toThrow(InvalidHasherConfigError);
  });
});
