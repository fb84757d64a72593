/**
 * The password policy of the password strategy: Kratos's `selfservice.methods.password.config`
 * rules (minimum length, identifier similarity, Have I Been Pwned) plus a bundled list of common
 * passwords, answering with Kratos's UI messages.
 */

export {
  type BreachCountResult,
  type BreachLookup,
  BreachLookupError,
  type BreachLookupErrorCode,
} from './breach-lookup.js';
export { preloadCommonPasswords } from './common-passwords.js';
export {
  InvalidPasswordPolicyConfigError,
  MAX_PASSWORD_LENGTH,
  PASSWORD_POLICY_DEFAULTS,
  type PasswordPolicyConfig,
  type PasswordPolicyConfigInput,
  resolvePasswordPolicyConfig,
} from './config.js';
export { createHibpClient, type HibpClientOptions } from './hibp-client.js';
export { PasswordMessageId } from './messages.js';
export type { PasswordPolicyResult, PasswordPolicyViolation } from './result.js';
export {
  type PasswordPolicyDeps,
  type PasswordPolicyInput,
  type PasswordPolicyLogger,
  validatePassword,
  validatePasswordForIdentifiers,
} from './validate.js';
