/**
 * The two screens of a `profile_first` registration (Kratos's default `registration.style`):
 * first the traits with a "Sign up" button of the `profile` method, then, once the traits are
 * valid, the credentials with the traits kept as hidden inputs and a "Back" button. Built as
 * Kratos's profile and password strategies build them (`PopulateRegistrationMethodProfile`,
 * `PopulateRegistrationMethodCredentials`) followed by `registration.SortNodes`.
 */

import type { JsonObject } from '../../identity/model.js';
import { Msg, submitNode, type UiInputNode, type UiNode, type UiText, uiText } from '../flow/index.js';
import { passwordInputNode, passwordSubmitNode } from './password-nodes.js';
import { sortRegistrationNodes } from './sort.js';
import { traitNodes } from './trait-nodes.js';

/**
 * Screen one: the traits (group `default`) and `method=profile` (group `profile`, "Sign up",
 * 1040001). Posting it with `method=profile` validates the traits and leads to screen two.
 * `values` refills the traits, e.g. after a validation error or on the way back from screen two.
 */
export function registrationProfileNodes(
  schemaDocument: JsonObject,
  options: { values?: JsonObject } = {},
): UiInputNode[] {
  const nodes = [
    ...traitNodes(schemaDocument, { group: 'default', values: options.values }),
    submitNode('profile', 'method', 'profile', uiText(Msg.InfoSelfServiceRegistration)),
  ];
  return sortRegistrationNodes(nodes, schemaDocument);
}

/**
 * Screen two: the validated traits as hidden inputs (they keep their labels and `required`, as
 * Kratos only changes the type), `password` (`new-password`, "Password"), `method=password`
 * ("Sign up", 1040001) and `screen=previous` (group `profile`, "Back", 1040008) to return to
 * screen one. Kratos also shows {@link registrationPasswordStepMessages} above the form.
 *
 * `withPassword: false` (`selfservice.methods.password.enabled: false`) leaves the password field
 * and button out: Kratos's showCredentialsSelection asks only the enabled strategies to add
 * their credentials.
 */
export function registrationPasswordStepNodes(
  schemaDocument: JsonObject,
  options: { values: JsonObject; withPassword?: boolean },
): UiInputNode[] {
  const traits = traitNodes(schemaDocument, { group: 'default', values: options.values }).map(
    (node): UiInputNode => ({ ...node, attributes: { ...node.attributes, type: 'hidden' } }),
  );
  const password =
    options.withPassword === false
      ? []
      : [passwordInputNode('new-password'), passwordSubmitNode(uiText(Msg.InfoSelfServiceRegistration))];
  const nodes = [
    ...traits,
    ...password,
    submitNode('profile', 'screen', 'previous', uiText(Msg.InfoSelfServiceRegistrationBack)),
  ];
  return sortRegistrationNodes(nodes, schemaDocument);
}

/** Whether `nodes` are screen two's (they carry the "Back" button, `screen=previous`). */
export function isRegistrationCredentialStep(nodes: readonly UiNode[]): boolean {
  return nodes.some((node) => {
    const attributes = node.attributes as { name?: unknown; value?: unknown };
    return attributes.name === 'screen' && attributes.value === 'previous';
  });
}

/** The form message of screen two: "Please choose a credential to authenticate yourself with." (1040009). */
export function registrationPasswordStepMessages(): UiText[] {
  return [uiText(Msg.InfoSelfServiceRegistrationChooseCredentials)];
}
