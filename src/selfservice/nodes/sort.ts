/**
 * Kratos's node order (`node.Nodes.SortBySchema` with the options of `login.sortNodes` and
 * `registration.SortNodes`): nodes are grouped by method in a fixed group order, and inside a
 * group ordered by the first key of a list that prefixes the node's name, with `method` last.
 *
 * Flows call these after every strategy has added its nodes and the CSRF node, as Kratos does,
 * so the CSRF node lands first in the `default` group.
 */

import type { JsonObject } from '../../identity/model.js';
import { CSRF_TOKEN_FIELD, type UiNode, type UiNodeGroup } from '../flow/index.js';
import { schemaKeysInOrder } from './schema-key-order.js';

/** Group order of Kratos's login flow (`selfservice/flow/login/sort.go`). */
const LOGIN_GROUPS: readonly UiNodeGroup[] = [
  'oidc',
  'default',
  'webauthn',
  'code',
  'password',
  'totp',
  'lookup_secret',
];

/** Group order of Kratos's registration flow (`selfservice/flow/registration/sort.go`). */
const REGISTRATION_GROUPS: readonly UiNodeGroup[] = [
  'oidc',
  'saml',
  'default',
  'webauthn',
  'passkey',
  'code',
  'password',
  'captcha',
  'profile',
];

/**
 * Kratos's `SortUseOrderAppend` keys for registration (WebAuthn controls). Appending them after the
 * schema keys is a reading of the option's name; the Go code was not available to confirm it.
 */
const REGISTRATION_APPENDED_KEYS = ['webauthn_remove', 'webauthn_register_displayname', 'webauthn_register'];

/** Login nodes in Kratos's order: `csrf_token`, `identifier`, `password`, then `method`. */
export function sortLoginNodes<N extends UiNode>(nodes: readonly N[]): N[] {
  return sortNodes(nodes, LOGIN_GROUPS, [CSRF_TOKEN_FIELD, 'identifier', 'password']);
}

/**
 * Registration nodes in Kratos's order: `csrf_token`, then the traits in schema order (with
 * `password` right after the first trait, for forms where traits share the `password` group),
 * then `method`.
 */
export function sortRegistrationNodes<N extends UiNode>(
  nodes: readonly N[],
  schemaDocument: JsonObject,
): N[] {
  const keys = [...passwordLoginOrder(schemaKeysInOrder(schemaDocument)), ...REGISTRATION_APPENDED_KEYS];
  return sortNodes(nodes, REGISTRATION_GROUPS, keys);
}

/** Kratos's `node.PasswordLoginOrder`: CSRF first, the password right after the first trait. */
export function passwordLoginOrder(keys: readonly string[]): string[] {
  const [first, ...rest] = keys;
  return first === undefined
    ? [CSRF_TOKEN_FIELD, 'password']
    : [CSRF_TOKEN_FIELD, first, 'password', ...rest];
}

/**
 * Sorts by group, then by the position of the first key that prefixes the node's name (names no
 * key prefixes go after all keys), then by the value as Go's `%v` prints it. Stable, so ties keep
 * their input order; Kratos's group pass is not stable, but for the ≤12 nodes of a password form
 * Go sorts by insertion, which is.
 */
export function sortNodes<N extends UiNode>(
  nodes: readonly N[],
  groups: readonly UiNodeGroup[],
  keys: readonly string[],
): N[] {
  const position = (node: UiNode): number => {
    const id = nodeId(node);
    // As Kratos's SortBySchema: after every node and every key, whatever the group's size.
    if (id === 'method') return nodes.length + keys.length + 1;
    const index = keys.findIndex((key) => id.startsWith(key));
    return index === -1 ? keys.length : index;
  };
  return [...nodes].sort((a, b) => {
    if (a.group !== b.group) return groups.indexOf(a.group) - groups.indexOf(b.group);
    const byKey = position(a) - position(b);
    if (byKey !== 0) return byKey;
    const va = goValueString(a);
    const vb = goValueString(b);
    return va < vb ? -1 : va > vb ? 1 : 0;
  });
}

/** Kratos's `node.ID()`: an input's name, any other node's id. */
export function nodeId(node: UiNode): string {
  return node.attributes.node_type === 'input' ? node.attributes.name : node.attributes.id;
}

function goValueString(node: UiNode): string {
  if (node.attributes.node_type !== 'input') return '';
  const value = node.attributes.value;
  // Go prints a nil interface as `<nil>`; other values only break ties, so String() is close enough.
  return value === undefined || value === null ? '<nil>' : String(value);
}
