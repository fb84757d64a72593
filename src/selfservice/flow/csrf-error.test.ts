import { describe, expect, it } from 'vitest';
import { csrfCaller, csrfRejectReason, csrfViolation } from './csrf-error.js';

const MESSAGE =
  'The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account takeover, leaking personal information, and other serious security issues.';
const REASON = `Please retry the flow and optionally clear your cookies. ${MESSAGE}`;
const DOCS = 'https://www.ory.sh/docs/kratos/debug/csrf';
const AJAX_HINT =
  "We detected an AJAX call, please ensure that CORS is enabled and configured correctly, and that your AJAX code sends cookies and has credentials enabled. For further debugging, check your browser's network tab to see what cookies are included or excluded.";
const SERVER_HINT =
  "We detected a regular browser or server-side call. To debug browser calls check your browser's network tab to see what cookies are included or excluded. If you are calling from a server ensure that the appropriate cookies are being forwarded and that the SDK method is called correctly.";

// Bodies from Kratos's x/.snapshots/TestSnapshotCsrfErrors.json.
describe('csrfViolation', () => {
  it("is a 403 security_csrf_violation with Kratos's message and reason", () => {
    expect(csrfViolation().toJSON()).toEqual({
      error: {
        id: 'security_csrf_violation',
        code: 403,
        status: 'Forbidden',
        reason: REASON,
        details: { docs: DOCS, hint: '' },
        message: MESSAGE,
      },
    });
  });

  it.each([
    ['no_cookies', 'ajax', AJAX_HINT, 'The HTTP cookie header is empty or not set.'],
    [
      'cookie_missing',
      'ajax',
      AJAX_HINT,
      'The HTTP cookie header was set but did not include the anti-CSRF cookie.',
    ],
    [
      'token_mismatch',
      'ajax',
      AJAX_HINT,
      'The HTTP cookie header was set and a CSRF token was sent but they do not match. We recommend deleting all cookies for this domain and retrying the flow.',
    ],
    ['no_cookies', 'server', SERVER_HINT, 'The HTTP cookie header is empty or not set.'],
    [
      'cookie_missing',
      'server',
      SERVER_HINT,
      'The HTTP cookie header was set but did not include the anti-CSRF cookie.',
    ],
    [
      'token_mismatch',
      'server',
      SERVER_HINT,
      'The HTTP cookie header was set and a CSRF token was sent but they do not match. We recommend deleting all cookies for this domain and retrying the flow.',
    ],
  ] as const)('explains %s for %s callers', (reason, caller, hint, rejectReason) => {
    const error = csrfViolation(reason, caller);
    expect(error.details).toEqual({ docs: DOCS, hint, reject_reason: rejectReason });
    expect(Object.keys(error.details ?? {})).toEqual(['docs', 'hint', 'reject_reason']);
  });

  it('says where the token should have been when none was sent, for either caller', () => {
    const hint =
      'The anti-CSRF cookie was found but the CSRF token was not included in the HTTP request body (csrf_token) nor in the HTTP header (X-CSRF-Token).';
    expect(csrfViolation('token_not_sent', 'ajax').details).toEqual({ docs: DOCS, hint });
    expect(csrfViolation('token_not_sent', 'server').details).toEqual({ docs: DOCS, hint });
  });
});

describe('csrfRejectReason and csrfCaller', () => {
  const base = { cookieHeader: 'a=b', hasCsrfCookie: true, tokenSent: true };

  it("tests the reasons in Kratos's order (CSRFErrorReason)", () => {
    expect(csrfRejectReason({ ...base, cookieHeader: undefined, hasCsrfCookie: false })).toBe('no_cookies');
    expect(csrfRejectReason({ ...base, cookieHeader: '' })).toBe('no_cookies');
    expect(csrfRejectReason({ ...base, hasCsrfCookie: false })).toBe('cookie_missing');
    expect(csrfRejectReason({ ...base, tokenSent: false })).toBe('token_not_sent');
    expect(csrfRejectReason(base)).toBe('token_mismatch');
  });

  it.each([
    // Sec-Fetch-Mode cors or no-cors is a script, whatever it accepts.
    ['cors', undefined, 'ajax'],
    ['no-cors', 'text/html', 'ajax'],
    // Otherwise Accept negotiated against application/json, text/html by default.
    [undefined, 'application/json', 'ajax'],
    [undefined, '*/*', 'ajax'],
    ['same-origin', '*/*', 'ajax'],
    // A browser navigation ends in */*;q=0.8, which application/json matches.
    ['navigate', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'ajax'],
    ['navigate', 'text/html', 'server'],
    ['same-origin', 'text/html', 'server'],
    [undefined, 'application/x-www-form-urlencoded', 'server'],
    [undefined, 'application/json;q=0', 'server'],
    [undefined, undefined, 'server'],
  ] as const)('calls Sec-Fetch-Mode %s with Accept %s a %s call', (secFetchMode, accept, caller) => {
    expect(csrfCaller({ secFetchMode, accept })).toBe(caller);
  });
});
