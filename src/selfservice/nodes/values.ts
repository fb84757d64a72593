/**
 * Putting submitted values back into a form, so a person who hit a validation error sees what
 * they typed (Kratos's `SetValueAttribute` over the flattened submission). Secrets and controls
 * are never filled: a password travels to the server once and is not echoed into HTML.
 */

import type { JsonObject, JsonValue } from '../../identity/model.js';
import { CSRF_TOKEN_FIELD, type UiNode, type UiNodeInputAttributes } from '../flow/index.js';
import { flattenValues } from './flatten.js';

/**
 * `nodes` with each input's `value` set from `values`, matched by node name after flattening
 * (`{ identifier: 'a@b.c' }`, `{ traits: { email: 'a@b.c' } }`). A `null` removes the value.
 * Only existing nodes are filled; names with no node are ignored, as in Kratos's error handlers.
 * Password inputs, any field named `password` (also a `traits.password`), the CSRF token and
 * submit buttons are left as they are.
 */
export function withValues<N extends UiNode>(nodes: readonly N[], values: JsonObject): N[] {
  const flat = flattenValues(values);
  return nodes.map((node) => {
    if (node.attributes.node_type !== 'input') return node;
    const { name } = node.attributes;
    if (!flat.has(name) || !acceptsValue(node.attributes)) return node;
    return { ...node, attributes: setValue(node.attributes, flat.get(name) ?? null) };
  });
}

/** Whether a submitted value may be written back into this input. */
export function acceptsValue(attributes: UiNodeInputAttributes): boolean {
  if (attributes.type === 'password' || attributes.type === 'submit' || attributes.type === 'button')
    return false;
  if (attributes.name === CSRF_TOKEN_FIELD) return false;
  return attributes.name.split('.').at(-1) !== 'password';
}

/** The attributes with `value` replaced, in the key order Kratos serialises (`value` after `type`). */
function setValue(attributes: UiNodeInputAttributes, value: JsonValue): UiNodeInputAttributes {
  const { name, type, value: _previous, ...rest } = attributes;
  // Go drops a nil value from the JSON, so `null` means "no value".
  return value === null ? { name, type, ...rest } : { name, type, value, ...rest };
}
