import type { FastifyRequest } from 'fastify';
import type { JsonValue } from '../../../identity/model.js';

/** Kratos's default `clients.web_hook.header_allowlist`. */
export const DEFAULT_HEADER_ALLOWLIST: readonly string[] = [
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Content-Length',
  'Content-Type',
  'Origin',
  'Priority',
  'Referer',
  'Sec-Ch-Ua',
  'Sec-Ch-Ua-Mobile',
  'Sec-Ch-Ua-Platform',
  'Sec-Fetch-Dest',
  'Sec-Fetch-Mode',
  'Sec-Fetch-Site',
  'Sec-Fetch-User',
  'True-Client-Ip',
  'User-Agent',
];

/** `content-type` -> `Content-Type`, as Go's textproto.CanonicalMIMEHeaderKey writes it. */
export function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((part) => (part === '' ? part : part[0]?.toUpperCase() + part.slice(1)))
    .join('-');
}

/** What the request contributes to a hook's `ctx`. */
export interface RequestFacts {
  request_headers: Record<string, string[]>;
  request_method: string;
  request_url: string;
  request_cookies: Record<string, string>;
}

/**
 * The request part of `ctx` as Kratos builds it: headers (only the allow-listed ones — never
 * Cookie or Authorization unless an operator lists them) as Go's `http.Header` (name ->
 * values), method, the public URL, and the cookies by name.
 */
export function requestFacts(
  request: FastifyRequest,
  requestUrl: string,
  allowlist: readonly string[],
): RequestFacts {
  const allowed = new Set(allowlist.map(canonicalHeaderName));
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const canonical = canonicalHeaderName(name);
    if (!allowed.has(canonical) || value === undefined) continue;
    headers[canonical] = Array.isArray(value) ? value : [value];
  }
  const cookies: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.cookies ?? {})) {
    if (name !== '' && typeof value === 'string') cookies[name] = value;
  }
  return {
    request_headers: headers,
    request_method: request.method,
    request_url: requestUrl,
    request_cookies: cookies,
  };
}

/**
 * A hook's `ctx`: what the Jsonnet body template receives, as Kratos's templateContext. The
 * submission's `transient_payload` is in `flow` (as Kratos's flow JSON has it), never top-level.
 */
export interface HookContext extends RequestFacts {
  flow: JsonValue;
  identity?: JsonValue;
  session?: JsonValue;
}
