/**
 * The contract between the policy and a breach corpus (Have I Been Pwned or a self-hosted
 * mirror), and the typed failure a lookup can end with.
 */

/** Why a breach lookup did not produce a count. Callers branch on this, never on the message. */
export type BreachLookupErrorCode =
  /** The host could not be reached, or the connection broke. */
  | 'network'
  /** No complete answer within the timeout. */
  | 'timeout'
  /** The server answered with a status other than 200. */
  | 'status'
  /** The body was larger than the cap. */
  | 'body_too_large'
  /** A line of the range did not have the `SUFFIX:COUNT` shape. */
  | 'malformed_response'
  /** `haveibeenpwned_host` is neither a host nor an http(s) base URL. */
  | 'invalid_host';

/** A breach lookup that ended without a count. */
export class BreachLookupError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: BreachLookupErrorCode;
  /** The HTTP status, for `code === 'status'`. */
  readonly status: number | undefined;

  constructor(code: BreachLookupErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BreachLookupError';
    this.code = code;
    this.status = options?.status;
  }
}

/** What a lookup returns: how often the password was seen (0 when never), or why there is no answer. */
export type BreachCountResult = { ok: true; count: number } | { ok: false; error: BreachLookupError };

/** Counts how often a password appears in a breach corpus. */
export interface BreachLookup {
  /**
   * @param password - the candidate password; implementations must not send it, or its full hash, anywhere.
   * @param host - `haveibeenpwned_host`: a host (`api.pwnedpasswords.com`, `hibp.internal:8443`) or an
   *   http(s) base URL (`http://127.0.0.1:8080/hibp`).
   */
  count(password: string, host: string): Promise<BreachCountResult>;
}
