import { describe, expect, it } from 'vitest';
import {
  InvalidPasswordPolicyConfigError,
  PASSWORD_POLICY_DEFAULTS,
  resolvePasswordPolicyConfig,
} from './config.js';

describe('resolvePasswordPolicyConfig', () => {
  it("uses Kratos's schema defaults", () => {
    expect(resolvePasswordPolicyConfig()).toEqual({
      haveibeenpwned_enabled: true,
      haveibeenpwned_host: 'api.pwnedpasswords.com',
      max_breaches: 0,
      ignore_network_errors: true,
      min_password_length: 8,
      identifier_similarity_check_enabled: true,
    });
    expect(resolvePasswordPolicyConfig()).toEqual(PASSWORD_POLICY_DEFAULTS);
  });

  it('keeps given values and fills the rest', () => {
    const config = resolvePasswordPolicyConfig({ min_password_length: 12, haveibeenpwned_enabled: false });
    expect(config.min_password_length).toBe(12);
    expect(config.haveibeenpwned_enabled).toBe(false);
    expect(config.max_breaches).toBe(0);
  });

  it('treats a key set to undefined as missing', () => {
    expect(resolvePasswordPolicyConfig({ min_password_length: undefined }).min_password_length).toBe(8);
  });

  it.each([
    [{ min_password_length: 5 }, 'selfservice.methods.password.config.min_password_length'],
    [{ min_password_length: 8.5 }, 'selfservice.methods.password.config.min_password_length'],
    [{ max_breaches: -1 }, 'selfservice.methods.password.config.max_breaches'],
    [{ max_breaches: 101 }, 'selfservice.methods.password.config.max_breaches'],
    [{ haveibeenpwned_host: 'ftp://mirror' }, 'selfservice.methods.password.config.haveibeenpwned_host'],
  ])('refuses %j', (input, key) => {
    try {
      resolvePasswordPolicyConfig(input);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidPasswordPolicyConfigError);
      expect((error as InvalidPasswordPolicyConfigError).key).toBe(key);
    }
  });
});
