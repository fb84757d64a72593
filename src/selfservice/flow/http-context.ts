import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionConfig } from '../../config/index.js';
import type { AppError } from '../../kernel/errors.js';
import { negotiateContentType } from '../../kernel/negotiate.js';
import { encodeSessionCookie } from '../../session/cookie.js';
import { sessionCookieAttributes } from '../../session/cookie-attributes.js';
import {
  CSRF_COOKIE_MAX_AGE_SECONDS,
  CSRF_TOKEN_FIELD,
  decodeCsrfCookie,
  encodeCsrfCookie,
  generateCsrfSecret,
  maskCsrfToken,
  verifyCsrfToken,
} from './csrf.js';
import { csrfCaller, csrfRejectReason, csrfViolation } from './csrf-error.js';
import type { SelfServiceFlow } from './flow.js';

/** What flows need to read and write cookies the way Kratos does. */
export interface CookieSettings {
  session: SessionConfig['cookie'];
  csrf: SessionConfig['csrfCookie'];
  lifespanMs: number;
  csrfCookieName: string;
  cookieKeys: readonly string[];
}

/** The offers Kratos negotiates `Accept` against (x.IsJSONRequest); HTML unless JSON wins. */
const JSON_OR_HTML = ['text/html', 'text/*', '*/*', 'application/json'] as const;

/**
 * Whether the client wants JSON (SPAs, native apps, the SDK) rather than an HTML redirect,
 * by Kratos's rule: `application/json` wins the `Accept` negotiation, or the body is JSON. So
 * `fetch` posting JSON with its default `Accept: *` + `/*` gets JSON, and a browser's navigation
 * (`text/html, ..., *` + `/*`) or an `Accept` that prefers HTML gets the redirect.
 */
export function wantsJson(request: FastifyRequest): boolean {
  if (negotiateContentType(request.headers.accept, JSON_OR_HTML, 'text/html') === 'application/json')
    return true;
  const contentType = request.headers['content-type'];
  return contentType !== undefined && contentType.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** Cookie attributes of `cookies.*` (or `session.cookie.*`), HttpOnly, as @fastify/cookie takes them. */
export function cookieBase(cookie: SessionConfig['cookie'] | SessionConfig['csrfCookie']) {
  return {
    path: cookie.path,
    domain: cookie.domain,
    httpOnly: true,
    secure: cookie.secure,
    sameSite: cookie.sameSite.toLowerCase() as 'strict' | 'lax' | 'none',
  };
}

/**
 * The browser's CSRF secret from its cookie, or a new one set on the reply. The flow's
 * hidden `csrf_token` node carries a masked copy.
 */
export function ensureCsrfSecret(
  request: FastifyRequest,
  reply: FastifyReply,
  settings: CookieSettings,
): Buffer {
  const existing = decodeCsrfCookie(request.cookies?.[settings.csrfCookieName], settings.cookieKeys);
  if (existing) return existing;
  const secret = generateCsrfSecret();
  reply.setCookie(settings.csrfCookieName, encodeCsrfCookie(secret, settings.cookieKeys), {
    ...cookieBase(settings.csrf),
    maxAge: CSRF_COOKIE_MAX_AGE_SECONDS,
  });
  return secret;
}

/**
 * Gives the browser a new CSRF secret: after signing in or out, a secret an attacker may have
 * planted or learned before (a sibling subdomain can set cookies) is worth nothing.
 */
export function rotateCsrfSecret(reply: FastifyReply, settings: CookieSettings): Buffer {
  const secret = generateCsrfSecret();
  reply.setCookie(settings.csrfCookieName, encodeCsrfCookie(secret, settings.cookieKeys), {
    ...cookieBase(settings.csrf),
    maxAge: CSRF_COOKIE_MAX_AGE_SECONDS,
  });
  return secret;
}

/** A fresh masked token for the browser's secret, for the flow's csrf node. */
export function csrfTokenFor(secret: Buffer): string {
  return maskCsrfToken(secret);
}

/**
 * Refuses a browser submission whose token (body `csrf_token` or `X-CSRF-Token`) does not
 * match the browser's CSRF cookie: 403 security_csrf_violation.
 */
export function assertCsrf(
  request: FastifyRequest,
  submitted: string | undefined,
  settings: CookieSettings,
): void {
  const header = request.headers['x-csrf-token'];
  const token = submitted ?? (typeof header === 'string' ? header : undefined);
  const secret = decodeCsrfCookie(request.cookies?.[settings.csrfCookieName], settings.cookieKeys);
  if (secret && verifyCsrfToken(secret, token)) return;
  throw csrfFailure(request, settings);
}

/**
 * The 403 for a request that failed a CSRF check, with the hint and reject reason Kratos's
 * CSRFErrorReason picks from what the request carried.
 */
function csrfFailure(request: FastifyRequest, settings: CookieSettings): AppError {
  const reason = csrfRejectReason({
    cookieHeader: request.headers.cookie,
    // Present by name, whether or not it verifies (Go's r.Cookie).
    hasCsrfCookie: request.cookies?.[settings.csrfCookieName] !== undefined,
    tokenSent: csrfTokenSent(request),
  });
  const caller = csrfCaller({
    secFetchMode: firstHeader(request.headers['sec-fetch-mode']),
    accept: request.headers.accept,
  });
  return csrfViolation(reason, caller);
}

/**
 * Whether the request sent a token where Kratos's CSRFErrorReason looks
 * (`r.Form.Get("csrf_token") + r.Header.Get("X-CSRF-Token")`): the header, or the first
 * `csrf_token` of a form-encoded or multipart body. Go fills `r.Form` from those bodies only,
 * so a JSON body's token and a GET count as not sent.
 */
function csrfTokenSent(request: FastifyRequest): boolean {
  if ((firstHeader(request.headers['x-csrf-token']) ?? '') !== '') return true;
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded' && mediaType !== 'multipart/form-data') return false;
  const body = request.body;
  if (typeof body !== 'object' || body === null) return false;
  const field: unknown = (body as Record<string, unknown>)[CSRF_TOKEN_FIELD];
  const first: unknown = Array.isArray(field) ? field[0] : field;
  return typeof first === 'string' && first !== '';
}

/** A header's first value, as Go's `Header.Get`. */
function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Sets the session cookie: HttpOnly, SameSite, Secure unless --dev, Max-Age when persistent. */
export function setSessionCookie(
  reply: FastifyReply,
  issued: { token: string; session: { expires_at: Date } },
  settings: CookieSettings,
): void {
  const expiresAt = issued.session.expires_at;
  reply.setCookie(
    settings.session.name,
    encodeSessionCookie(issued.token, settings.cookieKeys, expiresAt),
    sessionCookieAttributes(settings.session, expiresAt, Date.now()),
  );
}

export function clearSessionCookie(reply: FastifyReply, settings: CookieSettings): void {
  reply.clearCookie(settings.session.name, cookieBase(settings.session));
}

/** What a browser flow remembers of the browser that started it: a hash of its CSRF secret. */
export function csrfBinding(secret: Buffer): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/**
 * Whether the request comes from the browser whose CSRF secret `binding` was made from (see
 * csrfBinding), compared in constant time.
 */
export function browserHoldsBinding(
  request: FastifyRequest,
  binding: string,
  settings: CookieSettings,
): boolean {
  const secret = decodeCsrfCookie(request.cookies?.[settings.csrfCookieName], settings.cookieKeys);
  const actual = secret === undefined ? undefined : Buffer.from(csrfBinding(secret));
  const expected = Buffer.from(binding);
  return actual !== undefined && actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * 403 security_csrf_violation for a request from another browser than the one a flow or a
 * stored error belongs to, with the reason Kratos would give (its flow fetches and submissions
 * answer CSRFErrorReason there too).
 */
export function notThisBrowser(request: FastifyRequest, settings: CookieSettings): AppError {
  return csrfFailure(request, settings);
}

/**
 * A browser flow belongs to the browser that started it (Kratos checks the flow's CSRF token
 * against the cookie): another browser may neither fetch nor submit it.
 */
export function assertFlowOwnedByBrowser(
  request: FastifyRequest,
  flow: SelfServiceFlow,
  settings: CookieSettings,
): void {
  const binding = flow.internal.csrf_binding;
  if (flow.type !== 'browser' || typeof binding !== 'string') return;
  if (browserHoldsBinding(request, binding, settings)) return;
  throw notThisBrowser(request, settings);
}
