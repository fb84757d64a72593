import type { CustomFetch } from 'openid-client';
import type { OutboundHttp } from '../../../kernel/http-client.js';

/** Bodies larger than this from a provider (discovery, keys, tokens, user info) are refused. */
const MAX_PROVIDER_RESPONSE_BYTES = 256 * 1024;

/** Statuses a `Response` may not carry a body with. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * openid-client's `customFetch` on Portcullis's outbound client: every call to a provider goes
 * through the SSRF guard (`clients.http.disallow_private_ip_ranges`), the one deadline and the
 * body cap, like web hooks do. Redirects are not followed, which openid-client asks for anyway.
 */
export function outboundFetch(http: OutboundHttp, timeoutMs?: number): CustomFetch {
  return async (url, options) => {
    const body = options.body;
    if (
      body !== undefined &&
      body !== null &&
      typeof body !== 'string' &&
      !(body instanceof URLSearchParams)
    ) {
      throw new TypeError('only text and form bodies are sent to OpenID providers');
    }
    const response = await http.request({
      url,
      method: options.method,
      headers: options.headers,
      body: body === undefined || body === null ? undefined : body.toString(),
      maxResponseBytes: MAX_PROVIDER_RESPONSE_BYTES,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) headers.set(name, value);
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : new Uint8Array(response.body), {
      status: response.status,
      headers,
    });
  };
}
