/**
 * The settings form of the profile and password methods (Kratos's profile strategy's and
 * password strategy's `PopulateSettingsMethod`, then `settings.sortNodes`): the identity's traits
 * with their current values and a "Save" button of the `profile` method, and a new password with
 * a "Save" button of the `password` method.
 */

import type { JsonObject } from '../../identity/model.js';
import {
  CSRF_TOKEN_FIELD,
  Msg,
  submitNode,
  type UiInputNode,
  type UiNode,
  type UiNodeGroup,
  uiText,
} from '../flow/index.js';
import { passwordInputNode, passwordSubmitNode } from './password-nodes.js';
import { schemaKeysInOrder } from './schema-key-order.js';
import { sortNodes } from './sort.js';
import { traitNodes } from './trait-nodes.js';

/** Group order of Kratos's settings flow (`selfservice/flow/settings/sort.go`). */
const SETTINGS_GROUPS: readonly UiNodeGroup[] = ['default', 'profile', 'password', 'oidc'];

/** Options of {@link settingsNodes}. */
export interface SettingsNodesOptions {
  /** The values the trait fields show: the identity's traits, or what was submitted before an error. */
  traits: JsonObject;
  /** Whether the `profile` method is on (`selfservice.methods.profile.enabled`). */
  profile: boolean;
  /** Whether the `password` method is on (`selfservice.methods.password.enabled`). */
  password: boolean;
}

/**
 * The `profile` group: one field per trait (group `profile`) filled with `traits`, and
 * `method=profile` labelled "Save" (1070003).
 *
 * @throws {SchemaCycleError} the schema refers back to itself.
 */
export function settingsProfileNodes(schemaDocument: JsonObject, traits: JsonObject): UiInputNode[] {
  return [
    ...traitNodes(schemaDocument, { group: 'profile', values: traits }),
    submitNode('profile', 'method', 'profile', uiText(Msg.InfoNodeLabelSave)),
  ];
}

/**
 * The `password` group: a required `password` input (`new-password`, "Password", 1070001) and
 * `method=password` labelled "Save" (1070003). The current password is never shown or asked for:
 * a privileged session stands in for it.
 */
export function settingsPasswordNodes(): UiInputNode[] {
  return [passwordInputNode('new-password'), passwordSubmitNode(uiText(Msg.InfoNodeLabelSave))];
}

/**
 * Settings nodes in Kratos's order: groups `default`, `profile`, `password`, `oidc`; inside a
 * group the CSRF token first, then the traits in schema order, then `method`.
 */
export function sortSettingsNodes<N extends UiNode>(nodes: readonly N[], schemaDocument: JsonObject): N[] {
  return sortNodes(nodes, SETTINGS_GROUPS, [CSRF_TOKEN_FIELD, ...schemaKeysInOrder(schemaDocument)]);
}

/**
 * The whole settings form of the enabled methods, sorted. The flow adds the CSRF node (browser
 * flows), which the sort puts first.
 *
 * @throws {SchemaCycleError} the schema refers back to itself.
 */
export function settingsNodes(schemaDocument: JsonObject, options: SettingsNodesOptions): UiInputNode[] {
  const nodes = [
    ...(options.profile ? settingsProfileNodes(schemaDocument, options.traits) : []),
    ...(options.password ? settingsPasswordNodes() : []),
  ];
  return sortSettingsNodes(nodes, schemaDocument);
}
