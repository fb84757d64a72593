import type { OutboundHttp } from '../../../kernel/http-client.js';
import { exchangeWithRetry, type RetryPolicy } from '../retry.js';

/** One OAuth 2.0 client credentials grant (RFC 6749 §4.4). */
export interface ClientCredentialsGrant {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: readonly string[];
  /** Sent as the `audience` parameter when set (Hydra, Auth0). */
  audience?: string;
}

export type TokenGrantResult =
  | { kind: 'granted'; accessToken: string; expiresInS: number | undefined }
  /** The token endpoint answered with a status other than 2xx; the first value of each of its headers. */
  | { kind: 'refused'; status: number; headers: Readonly<Record<string, string>>; reason: string }
  /** No usable answer: unreachable, timed out, or a 2xx without an access token. */
  | { kind: 'unavailable'; reason: string };

const TOKEN_RESPONSE_BYTES = 64 * 1024;

/**
 * Go's url.QueryEscape, which golang.org/x/oauth2 applies to the client id and secret before
 * HTTP Basic (RFC 6749 §2.3.1): everything but `A-Za-z0-9-_.~` escaped, space as `+`.
 */
export function formEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * Where the client authenticates at the token endpoint (golang.org/x/oauth2's AuthStyle):
 * `header` is HTTP Basic of the form-escaped id and secret (client_secret_basic); `params` puts
 * `client_id` and `client_secret` in the form body (client_secret_post).
 */
export type ClientAuthStyle = 'header' | 'params';

/**
 * Performs the grant, authenticating as `style` says (HTTP Basic unless told otherwise), and
 * reads the token the way golang.org/x/oauth2 does: JSON, or a form-encoded body when the
 * endpoint says so.
 */
export async function requestClientCredentialsToken(
  http: OutboundHttp,
  grant: ClientCredentialsGrant,
  retry: RetryPolicy,
  style: ClientAuthStyle = 'header',
): Promise<TokenGrantResult> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (grant.scope.length > 0) form.set('scope', grant.scope.join(' '));
  if (grant.audience !== undefined && grant.audience !== '') form.set('audience', grant.audience);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (style === 'header') {
    const basic = `${formEscape(grant.clientId)}:${formEscape(grant.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  } else {
    // x/oauth2 leaves out an empty id or secret rather than sending it blank.
    if (grant.clientId !== '') form.set('client_id', grant.clientId);
    if (grant.clientSecret !== '') form.set('client_secret', grant.clientSecret);
  }
  const exchange = await exchangeWithRetry(
    http,
    {
      url: grant.tokenUrl,
      method: 'POST',
      headers,
      body: form.toString(),
      maxResponseBytes: TOKEN_RESPONSE_BYTES,
    },
    retry,
  );
  if (exchange.kind === 'failed')
    return { kind: 'unavailable', reason: `token endpoint: ${exchange.reason}` };
  const { response } = exchange;
  if (response.status < 200 || response.status > 299) {
    return {
      kind: 'refused',
      status: response.status,
      headers: response.firstHeaders,
      reason: `token endpoint answered ${response.status}`,
    };
  }
  const fields = parseTokenBody(response.headers['content-type'] ?? '', response.body.toString('utf8'));
  const accessToken = fields?.access_token;
  if (typeof accessToken !== 'string' || accessToken === '')
    return { kind: 'unavailable', reason: 'token endpoint: the response holds no access_token' };
  const expiresIn = Number(fields?.expires_in ?? Number.NaN);
  return {
    kind: 'granted',
    accessToken,
    expiresInS: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
  };
}

function parseTokenBody(contentType: string, text: string): Record<string, unknown> | undefined {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/x-www-form-urlencoded' || mediaType === 'text/plain')
    return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
