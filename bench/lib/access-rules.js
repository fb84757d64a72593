/**
 * Access rules and requests the access-proxy scenarios share: every rule matches one path prefix
 * on one made-up host (`app.bench.test`, sent as Host or X-Forwarded-Host), so the rules do not
 * depend on the ports the children happen to get.
 */

export const APP_HOST = 'app.bench.test';

/**
 * What a Kratos-backed deployment typically passes upstream: the identity's id and email.
 * `.Extra` is whoami's whole answer (`extra_from: "@this"`).
 */
export const IDENTITY_HEADERS = {
  'X-User': '{{ print .Subject }}',
  'X-User-Email': '{{ print .Extra.identity.traits.email }}',
};

/**
 * @param {object} rule
 * @param {string} rule.id
 * @param {string} rule.prefix          path prefix on APP_HOST, e.g. `/anon/`
 * @param {string} rule.authenticator   handler name
 * @param {Array<{ handler: string, config?: Record<string, unknown> }>} rule.mutators
 * @param {string} [rule.upstreamUrl]   for proxy mode
 */
export function accessRule({ id, prefix, authenticator, mutators, upstreamUrl }) {
  return {
    id,
    ...(upstreamUrl !== undefined ? { upstream: { url: upstreamUrl } } : {}),
    match: { url: `http://${APP_HOST}${prefix}<.*>`, methods: ['GET'] },
    authenticators: [{ handler: authenticator }],
    authorizer: { handler: 'allow' },
    mutators,
  };
}

/**
 * A decision request as Traefik's ForwardAuth and nginx's `auth_request` send it: to `/decisions`,
 * the original request in `X-Forwarded-*`, the browser's cookies passed along.
 *
 * @param {string} uri     the original request's path and query
 * @param {string} cookie  the browser's Cookie header
 * @returns {Record<string, string>}
 */
export function decisionHeaders(uri, cookie) {
  return {
    'x-forwarded-method': 'GET',
    'x-forwarded-proto': 'http',
    'x-forwarded-host': APP_HOST,
    'x-forwarded-uri': uri,
    cookie,
  };
}

/**
 * One decision, before any load: it must be a 200 (a 401 would mean the session is not
 * recognised, and every loaded request would fail), and it warms the session cache.
 *
 * @param {string} apiUrl
 * @param {Record<string, string>} headers
 * @returns {Promise<{ status: number, headers: Record<string, string> }>}  the answer's own headers
 *   (without the connection-level ones, which every server sets itself)
 */
export async function decideOnce(apiUrl, headers) {
  const response = await fetch(`${apiUrl}/decisions`, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`a decision answered ${response.status}: ${text}`);
  /** @type {Record<string, string>} */
  const own = {};
  for (const [name, value] of response.headers) {
    if (!CONNECTION_LEVEL.has(name)) own[name] = value;
  }
  return { status: response.status, headers: own };
}

const CONNECTION_LEVEL = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
