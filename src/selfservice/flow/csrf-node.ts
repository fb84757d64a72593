import { CSRF_TOKEN_FIELD } from './csrf.js';
import type { UiNode } from './ui.js';

/** The nodes with the hidden CSRF node's value replaced: each fetch shows a freshly masked token. */
export function refreshCsrfNode(nodes: UiNode[], token: string): UiNode[] {
  return nodes.map((node) =>
    node.attributes.node_type === 'input' && node.attributes.name === CSRF_TOKEN_FIELD
      ? ({ ...node, attributes: { ...node.attributes, value: token } } as UiNode)
      : node,
  );
}
