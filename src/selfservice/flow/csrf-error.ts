/**
 * The `security_csrf_violation` error, worded as Kratos words it (x/nosurfx and its
 * TestSnapshotCsrfErrors snapshot), with the hint and reject reason that tell an integrator
 * why a request failed: no cookies at all, no anti-CSRF cookie, no token, or a token that does
 * not match.
 */

import { AppError } from '../../kernel/errors.js';
import { CSRF_HEADER, CSRF_TOKEN_FIELD } from './csrf.js';

/** Why a request failed the CSRF check. */
export type CsrfRejectReason = 'no_cookies' | 'cookie_missing' | 'token_not_sent' | 'token_mismatch';

/** Who sent it: a script (`Sec-Fetch-Mode: cors` or `same-origin`) or a page or server. */
export type CsrfCaller = 'ajax' | 'server';

/** What a request carried, for `csrfRejectReason`. */
export interface CsrfRequestFacts {
  /** The raw `Cookie` header. */
  cookieHeader: string | undefined;
  /** Whether the anti-CSRF cookie was among the cookies (valid or not). */
  hasCsrfCookie: boolean;
  /** Whether a token came in the form field or the `X-CSRF-Token` header. */
  tokenSent: boolean;
  /** Whether the body is JSON; Kratos cannot tell "not sent" from "wrong" for JSON bodies. */
  isJson: boolean;
}

const MESSAGE =
  'The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account takeover, leaking personal information, and other serious security issues.';
const REASON = `Please retry the flow and optionally clear your cookies. ${MESSAGE}`;
const DOCS = 'https://www.ory.sh/docs/kratos/debug/csrf';

const HINTS: Record<CsrfCaller, string> = {
  ajax: "We detected an AJAX call, please ensure that CORS is enabled and configured correctly, and that your AJAX code sends cookies and has credentials enabled. For further debugging, check your browser's network tab to see what cookies are included or excluded.",
  server:
    "We detected a regular browser or server-side call. To debug browser calls check your browser's network tab to see what cookies are included or excluded. If you are calling from a server ensure that the appropriate cookies are being forwarded and that the SDK method is called correctly.",
};

const TOKEN_NOT_SENT = `The anti-CSRF cookie was found but the CSRF token was not included in the HTTP request body (${CSRF_TOKEN_FIELD}) nor in the HTTP header (${CSRF_HEADER}).`;

const REJECT_REASONS: Record<Exclude<CsrfRejectReason, 'token_not_sent'>, string> = {
  no_cookies: 'The HTTP cookie header is empty or not set.',
  cookie_missing: 'The HTTP cookie header was set but did not include the anti-CSRF cookie.',
  token_mismatch:
    'The HTTP cookie header was set and a CSRF token was sent but they do not match. We recommend deleting all cookies for this domain and retrying the flow.',
};

/**
 * `403 security_csrf_violation`. Without a reason it is Kratos's bare `ErrInvalidCSRFToken`;
 * with one it carries the matching `hint` and `reject_reason` details.
 */
export function csrfViolation(reason?: CsrfRejectReason, caller: CsrfCaller = 'server'): AppError {
  const details: Record<string, unknown> = { docs: DOCS };
  if (reason === undefined) details.hint = '';
  else if (reason === 'token_not_sent') details.hint = TOKEN_NOT_SENT;
  else {
    details.hint = HINTS[caller];
    details.reject_reason = REJECT_REASONS[reason];
  }
  return new AppError('security_csrf_violation', 403, MESSAGE, { reason: REASON, details });
}

/** `ajax` when the browser says a script made the request, as Kratos decides it. */
export function csrfCaller(secFetchMode: string | undefined): CsrfCaller {
  return secFetchMode === 'cors' || secFetchMode === 'same-origin' ? 'ajax' : 'server';
}

/** Which of Kratos's reasons explains a failed check, tested in Kratos's order. */
export function csrfRejectReason(facts: CsrfRequestFacts): CsrfRejectReason {
  if (facts.cookieHeader === undefined || facts.cookieHeader === '') return 'no_cookies';
  if (!facts.hasCsrfCookie) return 'cookie_missing';
  if (!facts.isJson && !facts.tokenSent) return 'token_not_sent';
  return 'token_mismatch';
}
