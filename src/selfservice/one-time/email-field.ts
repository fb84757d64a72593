import { isEmail } from '../../identity/schema/formats.js';
import { refreshCsrfNode } from '../flow/csrf-node.js';
import { Msg, uiText } from '../flow/messages.js';
import type { UiNode } from '../flow/ui.js';
import { withNodeMessages, withoutNodeMessages } from '../nodes/index.js';

/**
 * The verification and recovery forms' check of their `email` field, as Kratos's body schemas
 * for both (code and link strategies: `"email": {"type": "string", "format": "email"}`): what is
 * not an email address (a phone number, say) is refused before anything else, and never gets a
 * message. Returns the flow's nodes (with this browser's CSRF token, when it has one) carrying
 * 4000040 on `email`, for a `400`; undefined when `email` is absent, empty or an email address.
 */
export function nonEmailRefusal(
  nodes: UiNode[],
  csrfToken: string | undefined,
  email: string | undefined,
): UiNode[] | undefined {
  if (email === undefined || email.trim() === '' || isEmail(email)) return undefined;
  const current = csrfToken === undefined ? nodes : refreshCsrfNode(nodes, csrfToken);
  return withNodeMessages(withoutNodeMessages(current), {
    email: [uiText(Msg.ErrorValidationEmail, { value: email })],
  });
}
