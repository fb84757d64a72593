/**
 * Messages on form fields, such as validation errors (`4000002` "Property fullname is missing."
 * on `traits.fullname`). Messages about the whole form (`4000006` invalid credentials) are not
 * node messages: they go into the container's `messages` (see `uiContainer`).
 */

import { inputNode, type UiNode, type UiText } from '../flow/index.js';
import { nodeId } from './sort.js';

/**
 * `nodes` with no field messages: the form shown again with a new form-level message, as Kratos's
 * `Container.ResetMessages` clears every message before an error is written, so a field keeps no
 * error from an earlier submission.
 */
export function withoutNodeMessages(nodes: readonly UiNode[]): UiNode[] {
  return nodes.map((node) => (node.messages.length === 0 ? node : { ...node, messages: [] }));
}

/**
 * `nodes` with `messages` replaced on every node named in `messagesByName`. A name no node has
 * gets a new text input in the `default` group carrying the messages, as Kratos's
 * `Container.AddMessage` does, so an error is never dropped. An empty name is not a node and is
 * ignored.
 */
export function withNodeMessages(
  nodes: readonly UiNode[],
  messagesByName: Readonly<Record<string, readonly UiText[]>>,
): UiNode[] {
  const pending = new Map(Object.entries(messagesByName).filter(([name]) => name !== ''));
  const updated = nodes.map((node): UiNode => {
    const messages = pending.get(nodeId(node));
    if (messages === undefined) return node;
    // Kratos finds the first node of a name; later ones (such as several `method` buttons) keep theirs.
    pending.delete(nodeId(node));
    return { ...node, messages: [...messages] };
  });
  for (const [name, messages] of pending) {
    updated.push(inputNode('default', name, 'text', { messages: [...messages] }));
  }
  return updated;
}
