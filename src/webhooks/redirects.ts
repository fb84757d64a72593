import type { OutboundHttp, OutboundRequest, OutboundResponse } from '../kernel/http-client.js';

/** Go's http.Client gives up after this many redirects ("stopped after 10 redirects"). */
export const MAX_REDIRECTS = 10;

/** A chain longer than {@link MAX_REDIRECTS}; the message names origins only (safe to log). */
export class TooManyRedirectsError extends Error {
  override readonly name = 'TooManyRedirectsError';
}

/** Headers Go drops when a redirect leaves the first host (and its subdomains). */
const SENSITIVE = new Set([
  'authorization',
  'www-authenticate',
  'cookie',
  'cookie2',
  'proxy-authorization',
  'proxy-authenticate',
]);
/** Headers Go drops when a redirect drops the body (301/302/303 turned into GET). */
const BODY_HEADERS = new Set(['content-encoding', 'content-language', 'content-location', 'content-type']);

/** Go's isDomainOrSubdomain: `sub` is `parent` or ends in `.parent`. */
function isDomainOrSubdomain(sub: string, parent: string): boolean {
  if (sub === parent) return true;
  if (/[:%]/.test(sub)) return false;
  return sub.endsWith(`.${parent}`);
}

interface Hop {
  method: string;
  body: string | Buffer | undefined;
  dropBodyHeaders: boolean;
}

/**
 * Go's redirectBehavior: 301/302/303 continue as GET without a body (HEAD stays HEAD; GET
 * stays GET), 307/308 repeat the method and body. Any other 3xx, or one without a Location, is
 * the answer.
 */
function nextHop(status: number, method: string, body: string | Buffer | undefined): Hop | undefined {
  if (status === 301 || status === 302 || status === 303) {
    const keep = method === 'GET' || method === 'HEAD';
    return { method: keep ? method : 'GET', body: undefined, dropBodyHeaders: true };
  }
  if (status === 307 || status === 308) return { method, body, dropBodyHeaders: false };
  return undefined;
}

/**
 * An OutboundHttp that follows redirects as Go's http.Client (behind Kratos's web hook client)
 * does: at most 10, with Go's method rules, Authorization and Cookie headers dropped once the
 * chain leaves the first host, and the body headers dropped with the body. Every hop is a new
 * call through `http`, so `disallow_private_ip_ranges` is checked again for each. The request's
 * deadline covers the whole chain, as Go's Client.Timeout does.
 */
export function followRedirects(http: OutboundHttp): OutboundHttp {
  return {
    async request(first: OutboundRequest): Promise<OutboundResponse> {
      const started = Date.now();
      const initialHost = new URL(first.url).hostname;
      let url = first.url;
      let method = first.method.toUpperCase();
      let body = first.body;
      let headers = { ...(first.headers ?? {}) };
      let stripSensitive = false;
      for (let hops = 0; ; hops++) {
        const remaining =
          first.timeoutMs === undefined ? undefined : Math.max(1, first.timeoutMs - (Date.now() - started));
        const { body: _first, timeoutMs: _deadline, ...rest } = first;
        const response = await http.request({
          ...rest,
          url,
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          ...(remaining === undefined ? {} : { timeoutMs: remaining }),
        });
        const location = response.headers.location;
        const hop = location ? nextHop(response.status, method, body) : undefined;
        if (hop === undefined || location === undefined) return response;
        if (hops + 1 > MAX_REDIRECTS) {
          throw new TooManyRedirectsError(`${new URL(url).origin}: stopped after ${MAX_REDIRECTS} redirects`);
        }
        const next = new URL(location, url);
        // Sticky, as Go's: once the chain left the first host, credentials stay behind.
        stripSensitive ||= !isDomainOrSubdomain(next.hostname, initialHost);
        headers = Object.fromEntries(
          Object.entries(headers).filter(([name]) => {
            const lower = name.toLowerCase();
            if (stripSensitive && SENSITIVE.has(lower)) return false;
            if (hop.dropBodyHeaders && BODY_HEADERS.has(lower)) return false;
            // The client sets the length of the body it sends (or none).
            return lower !== 'content-length';
          }),
        );
        url = next.toString();
        method = hop.method;
        body = hop.body;
      }
    },
  };
}
