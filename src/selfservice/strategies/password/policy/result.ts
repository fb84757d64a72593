/** What {@link validatePassword} answers. */
import type { BreachLookupError } from './breach-lookup.js';
import type {
  commonPasswordMessage,
  identifierTooSimilarMessage,
  maxLengthMessage,
  minLengthMessage,
  tooManyBreachesMessage,
} from './messages.js';

/**
 * One reason a password is refused, with the Kratos UI message to show on the password field.
 * `kind` is for code; `message` goes to the UI unchanged.
 */
export type PasswordPolicyViolation =
  | { kind: 'too_short'; message: ReturnType<typeof minLengthMessage> }
  | { kind: 'too_long'; message: ReturnType<typeof maxLengthMessage> }
  | { kind: 'too_similar'; message: ReturnType<typeof identifierTooSimilarMessage> }
  | { kind: 'common'; message: ReturnType<typeof commonPasswordMessage> }
  | { kind: 'breached'; message: ReturnType<typeof tooManyBreachesMessage> };

/**
 * The policy's answer.
 *
 * - `ok: true`: the password may be used.
 * - `kind: 'violation'`: refused; show `reason.message` on the password field (Kratos: a 400 with
 *   the message on the node).
 * - `kind: 'lookup_failed'`: the breach lookup failed and `ignore_network_errors` is false. This is
 *   not the user's fault: Kratos answers it as a server error, not as a field message.
 */
export type PasswordPolicyResult =
  | { ok: true }
  | { ok: false; kind: 'violation'; reason: PasswordPolicyViolation }
  | { ok: false; kind: 'lookup_failed'; error: BreachLookupError };
