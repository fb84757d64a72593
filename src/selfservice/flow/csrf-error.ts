/**
 * The `security_csrf_violation` error, worded as Kratos words it (x/nosurfx and its
 * TestSnapshotCsrfErrors snapshot), with the hint and reject reason that tell an integrator
 * why a request failed: no cookies at all, no anti-CSRF cookie, no token, or a token that does
 * not match.
 */

import { AppError } from '../../kernel/errors.js';
import { negotiateContentType } from '../../kernel/negotiate.js';
import { CSRF_HEADER, CSRF_TOKEN_FIELD } from './csrf.js';

/** Why a request failed the CSRF check. */
export type CsrfRejectReason = 'no_cookies' | 'cookie_missing' | 'token_not_sent' | 'token_mismatch';

/**
 * Who sent it, as Kratos's CSRFErrorReason tells: a script (`ajax`) or a page or server
 * (`server`). See csrfCaller.
 */
export type CsrfCaller = 'ajax' | 'server';

/** What a request carried, for `csrfRejectReason`. */
export interface CsrfRequestFacts {
  /** The raw `Cookie` header. */
  cookieHeader: string | undefined;
  /**
   * Whether a cookie with the anti-CSRF cookie's name was among the cookies, valid or not
   * (Go's `r.Cookie(name)` finds it).
   */
  hasCsrfCookie: boolean;
  /**
   * Whether a non-empty token came in the `X-CSRF-Token` header or in the `csrf_token` field of
   * a form-encoded or multipart body. As Kratos reads it (`r.Form`), a JSON body's `csrf_token`
   * does not count, nor does anything in a GET.
   */
  tokenSent: boolean;
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

/** What CSRFErrorReason negotiates `Accept` against: JSON, else (the default) HTML. */
const AJAX_OFFERS = ['application/json'] as const;

/**
 * `ajax` as Kratos's CSRFErrorReason decides it: `Sec-Fetch-Mode` is `cors` or `no-cors`, or
 * `Accept` negotiates to `application/json` against a `text/html` default (so `*` + `/*`,
 * which `fetch` sends and browsers add to navigations, counts; no `Accept` does not).
 */
export function csrfCaller(request: {
  secFetchMode: string | undefined;
  accept: string | undefined;
}): CsrfCaller {
  const { secFetchMode, accept } = request;
  if (secFetchMode === 'cors' || secFetchMode === 'no-cors') return 'ajax';
  return negotiateContentType(accept, AJAX_OFFERS, 'text/html') === 'application/json' ? 'ajax' : 'server';
}

/** Which of Kratos's reasons explains a failed check, tested in Kratos's order (CSRFErrorReason). */
export function csrfRejectReason(facts: CsrfRequestFacts): CsrfRejectReason {
  if (facts.cookieHeader === undefined || facts.cookieHeader === '') return 'no_cookies';
  if (!facts.hasCsrfCookie) return 'cookie_missing';
  if (!facts.tokenSent) return 'token_not_sent';
  return 'token_mismatch';
}
