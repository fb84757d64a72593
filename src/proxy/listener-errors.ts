/**
 * Errors raised while the access proxy's listeners start (never per request), with a stable
 * `code` to branch on; the message names the config key at fault.
 */

export type ListenerStartErrorCode =
  /** `tls.cert` / `tls.key` missing one half, not PEM, or not a matching pair. */
  | 'tls_invalid'
  /** A `tls.*.path` file cannot be read. */
  | 'tls_unreadable';

export class ListenerStartError extends Error {
  override readonly name = 'ListenerStartError';
  readonly code: ListenerStartErrorCode;

  constructor(code: ListenerStartErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
