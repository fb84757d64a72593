/**
 * CORS for the access proxy's listeners (`serve.proxy.cors`, `serve.api.cors`) and Kratos's
 * public API (`serve.public.cors`, see app/server.ts) with the semantics of rs/cors, which
 * Oathkeeper and Kratos wrap those listeners in:
 *
 * - A preflight is `OPTIONS` with `Access-Control-Request-Method`. The listener answers it
 *   (204), never the upstream or a route. It grants the origin only when the origin, the
 *   requested method and every requested header are allowed; otherwise the 204 carries only
 *   `Vary`.
 * - Any other request gets `Vary: Origin`, and, when its origin and method are allowed,
 *   `Access-Control-Allow-Origin`, `-Expose-Headers` and `-Allow-Credentials`.
 * - Origins compare case-insensitively; `*` allows every origin (answered with a literal `*`);
 *   one `*` inside an origin stands for zero or more characters (`https://*.example.com`), but
 *   only where it is bounded by a registrable domain (kernel/origin-wildcard.ts): others, such as
 *   `https://*.vercel.app`, are skipped as Kratos skips them (and the config load warns).
 * - `OPTIONS` is always an allowed method, `Origin` always an allowed header; `*` in
 *   `allowed_headers` allows every header.
 *
 * Everything is compiled once; a request costs a few Set lookups.
 */

import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { CorsConfig } from '../config/index.js';
import { unboundedWildcardReason } from '../kernel/origin-wildcard.js';

export interface CorsPolicy {
  /**
   * The headers of the 204 answering a preflight, or undefined when the request is not a
   * preflight (it then goes on, with `actual`'s headers on its response).
   */
  preflight(method: string, headers: IncomingHttpHeaders): Record<string, string> | undefined;
  /** Headers for the response to a request that is not a preflight. */
  actual(method: string, origin: string | string[] | undefined): Readonly<Record<string, string>>;
}

/** Why a request got no grant; reported only with `cors.debug`. */
export type CorsRefusal = 'origin_not_allowed' | 'method_not_allowed' | 'headers_not_allowed';

export const PREFLIGHT_STATUS = 204;

const VARY_ACTUAL: Readonly<Record<string, string>> = Object.freeze({ vary: 'Origin' });
const VARY_PREFLIGHT = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

/** The compiled policy, or undefined when CORS is off (the listener then does no CORS work). */
export function compileCors(
  config: CorsConfig,
  onRefused?: (refusal: CorsRefusal, origin: string) => void,
): CorsPolicy | undefined {
  if (!config.enabled) return undefined;
  const anyOrigin = config.allowedOrigins.includes('*');
  const exactOrigins = new Set<string>();
  const wildcardOrigins: Array<{ prefix: string; suffix: string }> = [];
  for (const pattern of config.allowedOrigins) {
    const lower = pattern.toLowerCase();
    const star = lower.indexOf('*');
    if (star === -1) exactOrigins.add(lower);
    else if (unboundedWildcardReason(lower) === undefined)
      wildcardOrigins.push({ prefix: lower.slice(0, star), suffix: lower.slice(star + 1) });
  }
  const methods = new Set(config.allowedMethods.map((m) => m.toUpperCase()));
  methods.add('OPTIONS');
  const anyHeader = config.allowedHeaders.includes('*');
  const allowedHeaders = new Set(config.allowedHeaders.map((h) => h.toLowerCase()));
  allowedHeaders.add('origin');
  const exposed = config.exposedHeaders.join(', ');
  const credentials = config.allowCredentials;

  const originAllowed = (origin: string): boolean => {
    if (anyOrigin) return true;
    const lower = origin.toLowerCase();
    if (exactOrigins.has(lower)) return true;
    for (const { prefix, suffix } of wildcardOrigins) {
      if (lower.length >= prefix.length + suffix.length && lower.startsWith(prefix) && lower.endsWith(suffix))
        return true;
    }
    return false;
  };
  // With `*` every granted answer is the same object.
  const grant = (origin: string): Record<string, string> => {
    const headers: Record<string, string> = { 'access-control-allow-origin': anyOrigin ? '*' : origin };
    if (credentials) headers['access-control-allow-credentials'] = 'true';
    return headers;
  };
  const anyOriginActual: Readonly<Record<string, string>> = Object.freeze({
    ...VARY_ACTUAL,
    ...grant('*'),
    ...(exposed !== '' ? { 'access-control-expose-headers': exposed } : {}),
  });

  return {
    preflight(method, headers) {
      const requestedMethod = single(headers['access-control-request-method']);
      if (method !== 'OPTIONS' || requestedMethod === undefined) return undefined;
      const answer: Record<string, string> = { vary: VARY_PREFLIGHT };
      const origin = single(headers.origin);
      if (origin === undefined) return answer;
      if (!originAllowed(origin)) {
        onRefused?.('origin_not_allowed', origin);
        return answer;
      }
      const wantedMethod = requestedMethod.toUpperCase();
      if (!methods.has(wantedMethod)) {
        onRefused?.('method_not_allowed', origin);
        return answer;
      }
      const wantedHeaders = headerList(headers['access-control-request-headers']);
      if (!anyHeader && !wantedHeaders.every((h) => allowedHeaders.has(h))) {
        onRefused?.('headers_not_allowed', origin);
        return answer;
      }
      Object.assign(answer, grant(origin), { 'access-control-allow-methods': wantedMethod });
      if (wantedHeaders.length > 0) answer['access-control-allow-headers'] = wantedHeaders.join(', ');
      if (config.maxAgeSeconds > 0) answer['access-control-max-age'] = String(config.maxAgeSeconds);
      return answer;
    },
    actual(method, rawOrigin) {
      const origin = single(rawOrigin);
      if (origin === undefined) return VARY_ACTUAL;
      if (!originAllowed(origin)) {
        onRefused?.('origin_not_allowed', origin);
        return VARY_ACTUAL;
      }
      if (!methods.has(method.toUpperCase())) {
        onRefused?.('method_not_allowed', origin);
        return VARY_ACTUAL;
      }
      if (anyOrigin) return anyOriginActual;
      const headers = { ...VARY_ACTUAL, ...grant(origin) };
      if (exposed !== '') headers['access-control-expose-headers'] = exposed;
      return headers;
    },
  };
}

/**
 * Applies `policy` to everything a Fastify listener serves, before routing: preflights are the
 * listener's whatever the path (as rs/cors wraps the router), and every other answer, errors and
 * 404s included, carries the policy's headers.
 */
export function applyCors(app: FastifyInstance, policy: CorsPolicy): void {
  // A callback hook, not an async one: no promise per request on whoami's path.
  app.addHook('onRequest', (request, reply, done) => {
    const method = request.raw.method ?? 'GET';
    const preflight = policy.preflight(method, request.headers);
    if (preflight !== undefined) {
      reply.code(PREFLIGHT_STATUS).headers(preflight).send();
      return;
    }
    reply.headers(policy.actual(method, request.headers.origin));
    done();
  });
}

/** Whether a response header is one the CORS policy owns (the upstream's copies are dropped). */
export function isCorsResponseHeader(lowerName: string): boolean {
  return lowerName.startsWith('access-control-');
}

/** `Vary` of the upstream's response with the policy's `Vary` added (each token once). */
export function mergeVary(upstream: string | string[] | undefined, ours: string): string {
  if (upstream === undefined) return ours;
  const text = Array.isArray(upstream) ? upstream.join(', ') : upstream;
  if (text.trim() === '*') return '*';
  const tokens = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const known = new Set(tokens.map((t) => t.toLowerCase()));
  for (const token of ours.split(', ')) if (!known.has(token.toLowerCase())) tokens.push(token);
  return tokens.join(', ');
}

function single(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v;
}

function headerList(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  if (text === '') return [];
  return text
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
}
