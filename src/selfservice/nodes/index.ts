/**
 * Form nodes of the password method's self-service flows, built from the identity schema as
 * Kratos builds them: trait fields, the login identifier's label, the login and registration
 * forms (unified and profile-first), and the helpers that put messages and submitted values
 * back into a form after an error. Pure functions: no HTTP, no storage, no CSRF token (flows add
 * the CSRF node and sort with `sortLoginNodes` / `sortRegistrationNodes`).
 */

export { identifierLabel } from './identifier-label.js';
export {
  IDENTIFIER_FIRST,
  identifierFirstCredentialNodes,
  identifierFirstNodes,
} from './login-identifier-first.js';
export {
  type LoginPasswordOptions,
  loginPasswordNodes,
  loginPasswordRefreshNodes,
} from './login-password.js';
export { withNodeMessages, withoutNodeMessages } from './node-messages.js';
export { passwordInputNode, passwordSubmitNode } from './password-nodes.js';
export {
  type RegistrationPasswordOptions,
  type RegistrationStyle,
  registrationPasswordNodes,
} from './registration-password.js';
export {
  isRegistrationCredentialStep,
  registrationPasswordStepMessages,
  registrationPasswordStepNodes,
  registrationProfileNodes,
} from './registration-profile-first.js';
export { SchemaCycleError } from './schema-paths.js';
export {
  type SettingsNodesOptions,
  settingsNodes,
  settingsPasswordNodes,
  settingsProfileNodes,
  sortSettingsNodes,
} from './settings.js';
export { sortLoginNodes, sortRegistrationNodes } from './sort.js';
export { type TraitNodesOptions, traitNodes } from './trait-nodes.js';
export { withValues } from './values.js';
