/**
 * A real browser session for the access-proxy scenarios: an identity with a password created
 * through the admin API (as the login scenario's accounts are), then signed in to through the
 * browser login flow as an SPA does it (`GET /self-service/login/browser` for the flow and its
 * CSRF cookie, `POST /self-service/login?flow=` with the CSRF token), so the session cookie is
 * the one the server set, not one forged beside it.
 */
import { createAccounts } from './accounts.js';

/** Kratos's default `session.cookie.name`, which the bench's config keeps. */
const SESSION_COOKIE = 'ory_kratos_session';

/**
 * @param {string} publicUrl
 * @param {string} adminUrl
 * @returns {Promise<string>} the Cookie header the browser now sends (its whole jar: CSRF and session)
 */
export async function browserSession(publicUrl, adminUrl) {
  const [account] = await createAccounts(adminUrl, 1);
  if (account === undefined) throw new Error('no account was created');
  const jar = new Map();
  const started = await fetch(`${publicUrl}/self-service/login/browser`, {
    headers: { accept: 'application/json' },
    redirect: 'manual',
  });
  keepCookies(jar, started.headers);
  const flow = /** @type {{ id?: string, ui?: { nodes?: unknown[] } }} */ (await started.json());
  if (started.status !== 200 || flow.id === undefined) {
    throw new Error(`starting a browser login flow answered ${started.status}`);
  }
  const submitted = await fetch(`${publicUrl}/self-service/login?flow=${encodeURIComponent(flow.id)}`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', cookie: cookieHeader(jar) },
    body: JSON.stringify({
      method: 'password',
      identifier: account.identifier,
      password: account.password,
      csrf_token: csrfToken(flow.ui?.nodes ?? []),
    }),
    redirect: 'manual',
  });
  const text = await submitted.text();
  if (submitted.status !== 200) throw new Error(`the browser login answered ${submitted.status}: ${text}`);
  keepCookies(jar, submitted.headers);
  if (!jar.has(SESSION_COOKIE)) throw new Error(`the browser login set no ${SESSION_COOKIE} cookie`);
  return cookieHeader(jar);
}

/**
 * @param {Map<string, string>} jar
 * @param {Headers} headers
 */
function keepCookies(jar, headers) {
  for (const line of headers.getSetCookie()) {
    const pair = line.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
}

/** @param {Map<string, string>} jar */
function cookieHeader(jar) {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/**
 * The value of the flow's hidden `csrf_token` input node.
 *
 * @param {unknown[]} nodes
 * @returns {string}
 */
function csrfToken(nodes) {
  for (const node of nodes) {
    const attributes = /** @type {{ attributes?: { name?: unknown, value?: unknown } }} */ (node).attributes;
    if (attributes?.name === 'csrf_token' && typeof attributes.value === 'string') return attributes.value;
  }
  throw new Error('the login flow has no csrf_token node');
}
