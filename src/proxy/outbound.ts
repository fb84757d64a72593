/**
 * The HTTP client behind the access proxy's outbound calls (session checks, JWKS, remote
 * authorizers, hydrator, introspection, token endpoints, rule repositories). Every one of
 * Oathkeeper's is a Go http.Client with the default redirect policy (its go-retryablehttp
 * clients too: they wrap one), so redirects are followed as Go follows them: at most 10; 301,
 * 302 and 303 continue as a GET without body (HEAD stays HEAD), 307 and 308 repeat method and
 * body; `Authorization` and `Cookie` stay behind once the chain leaves the first host (see
 * webhooks/redirects.ts, shared with Kratos's web hooks). On top of that, as Go's client:
 *
 * - each hop after the first carries `Referer: <the previous URL>` (user info removed), unless
 *   the request set its own or an https URL redirects to an http one;
 * - a request whose body Go cannot send again (the `remote` authorizer streams the client's
 *   body, so its request has no GetBody) is not redirected by a 307 or 308: that answer is
 *   the outcome. Go judges this by the first request, so it holds for the whole chain.
 */

import type { OutboundHttp, OutboundRequest, OutboundResponse } from '../kernel/http-client.js';
import { followRedirects } from '../webhooks/redirects.js';

export interface ProxyOutbound {
  /** Follows redirects as Go's http.Client does. */
  readonly http: OutboundHttp;
  /** The same for a body that cannot be sent twice: a 307 or 308 is answered, not followed. */
  readonly withoutBodyReplay: OutboundHttp;
}

const clients = new WeakMap<OutboundHttp, ProxyOutbound>();

/**
 * The proxy's clients over `base` (the shared outbound client: deadlines, size caps, private
 * address checks per hop). One pair per `base`, so that everything built from the same base
 * (the JWKS store the handlers and the JWKS route share, say) sees the same client.
 */
export function proxyOutbound(base: OutboundHttp): ProxyOutbound {
  let outbound = clients.get(base);
  if (outbound === undefined) {
    outbound = { http: goClient(base, true), withoutBodyReplay: goClient(base, false) };
    clients.set(base, outbound);
  }
  return outbound;
}

function goClient(base: OutboundHttp, replayBody: boolean): OutboundHttp {
  return {
    request: (first) => followRedirects(hops(base, first, replayBody)).request(first),
  };
}

/**
 * The hops of one exchange, `first` being the request that started it: adds Go's `Referer`,
 * and hides the `Location` of a 307/308 when the first request's body cannot be replayed, so
 * that the redirect follower answers with it.
 */
function hops(base: OutboundHttp, first: OutboundRequest, replayBody: boolean): OutboundHttp {
  const followsRepeatingRedirects = replayBody || first.body === undefined || first.body.length === 0;
  let previous: string | undefined;
  return {
    async request(hop: OutboundRequest): Promise<OutboundResponse> {
      const sent = previous === undefined ? hop : withReferer(hop, previous);
      previous = hop.url;
      const response = await base.request(sent);
      if (followsRepeatingRedirects || (response.status !== 307 && response.status !== 308)) return response;
      const { location: _notFollowed, ...headers } = response.headers;
      return { ...response, headers };
    },
  };
}

/** Go's refererForURL: the previous URL without user info; none from https to http. */
function withReferer(hop: OutboundRequest, previous: string): OutboundRequest {
  const headers = hop.headers ?? {};
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'referer')) return hop;
  const from = new URL(previous);
  if (from.protocol === 'https:' && new URL(hop.url).protocol === 'http:') return hop;
  from.username = '';
  from.password = '';
  return { ...hop, headers: { ...headers, referer: from.href } };
}
