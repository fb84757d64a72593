/**
 * The registration form of the password method (Kratos's profile strategy's
 * `PopulateRegistrationMethod` for the traits, the password strategy's for the credential,
 * then `registration.SortNodes`).
 */

import type { JsonObject } from '../../identity/model.js';
import { Msg, type UiInputNode, uiText } from '../flow/index.js';
import { passwordInputNode, passwordSubmitNode } from './password-nodes.js';
import { registrationProfileNodes } from './registration-profile-first.js';
import { sortRegistrationNodes } from './sort.js';
import { traitNodes } from './trait-nodes.js';

/** Kratos's `selfservice.flows.registration.style`. */
export type RegistrationStyle = 'unified' | 'profile_first';

/** Options of {@link registrationPasswordNodes}. */
export interface RegistrationPasswordOptions {
  style: RegistrationStyle;
  /** Traits to fill in, e.g. what was submitted before a validation error. */
  values?: JsonObject;
  /**
   * The group of the trait fields in a `unified` form: `default` (Kratos's default) or
   * `password`, Kratos's `feature_flags.password_profile_registration_node_group` for UIs built
   * before the traits moved to `default`.
   */
  profileGroup?: 'default' | 'password';
}

/**
 * The nodes a new registration flow shows for the password method. `unified`: the traits
 * (group `default`), `password` (`new-password`, "Password") and `method=password` ("Sign up",
 * 1040001), all on one screen. `profile_first`: the first screen, the same as
 * {@link registrationProfileNodes}; {@link registrationPasswordStepNodes} is the second.
 * The flow adds the CSRF node, which Kratos's sort puts first.
 *
 * @throws {SchemaCycleError} the schema refers back to itself.
 */
export function registrationPasswordNodes(
  schemaDocument: JsonObject,
  options: RegistrationPasswordOptions,
): UiInputNode[] {
  if (options.style === 'profile_first')
    return registrationProfileNodes(schemaDocument, { values: options.values });
  const nodes = [
    ...traitNodes(schemaDocument, { group: options.profileGroup ?? 'default', values: options.values }),
    passwordInputNode('new-password'),
    passwordSubmitNode(uiText(Msg.InfoSelfServiceRegistration)),
  ];
  return sortRegistrationNodes(nodes, schemaDocument);
}
