/** What one evaluation came to; never a thrown error. */
export type JsonnetOutcome =
  /** The evaluated JSON: parsed, and as the text libjsonnet printed (what Kratos sends as a body). */
  | { kind: 'ok'; value: unknown; json: string }
  /** The template raised Kratos's cancel error (`error "cancel"`); see {@link isCancelMessage}. */
  | { kind: 'cancelled' }
  /** Any other failure: a Jsonnet static or runtime error (libjsonnet's text), a refused import, ... */
  | { kind: 'error'; message: string }
  /** The evaluation took longer than its time bound; its worker was killed. */
  | { kind: 'timeout' }
  /** The evaluation went over the worker's memory bound; the worker was killed. */
  | { kind: 'resource_limit'; message: string };

/**
 * The text Kratos looks for. Kratos (request/builder.go) decides "cancel" with
 * `strings.Contains(err.Error(), (&jsonnet.RuntimeError{Msg: "cancel"}).Error())`, and go-jsonnet's
 * `RuntimeError.Error()` is `"RUNTIME ERROR: " + Msg`. libjsonnet formats `error "cancel"` the same
 * way (`RUNTIME ERROR: cancel` followed by the stack trace).
 */
export const CANCEL_MARKER = 'RUNTIME ERROR: cancel';

/**
 * Whether a libjsonnet error message is Kratos's cancel. A substring test, exactly like Kratos, so
 * `error "cancel"`, `error "cancelled"` and `error "cancel: a student"` all cancel, and
 * `error "Cancel"` or `error "do not cancel"` do not.
 */
export function isCancelMessage(message: string): boolean {
  return message.includes(CANCEL_MARKER);
}

/** The outcome of a libjsonnet error message. */
export function errorOutcome(message: string): JsonnetOutcome {
  if (isCancelMessage(message)) return { kind: 'cancelled' };
  return { kind: 'error', message: message.trimEnd() };
}

/** The outcome of the JSON text libjsonnet returned. */
export function jsonOutcome(json: string): JsonnetOutcome {
  try {
    return { kind: 'ok', value: JSON.parse(json) as unknown, json };
  } catch (error) {
    // libjsonnet only prints valid JSON; this would be a bug in the binding.
    return { kind: 'error', message: `libjsonnet returned invalid JSON: ${(error as Error).message}` };
  }
}

/** What went wrong, as one line for a log or an error: libjsonnet's message, or the outcome's kind. */
export function outcomeFailure(outcome: Exclude<JsonnetOutcome, { kind: 'ok' }>): string {
  return outcome.kind === 'error' || outcome.kind === 'resource_limit' ? outcome.message : outcome.kind;
}
