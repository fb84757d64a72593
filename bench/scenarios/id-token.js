/**
 * `id-token`: decisions whose rule signs an `id_token` (cookie_session in process → allow →
 * id_token), with the mutator's token cache warm and cold. No target: the figures say what a
 * signature costs and how much the cache saves.
 *
 * The mutator caches signed tokens per rule, keyed by subject and rendered claims
 * (src/proxy/pipeline/mutate/mutate-id-token.ts); the cache cannot be switched off. So the rule's
 * claims carry the request path (`"path": "{{ print .MatchContext.URL.Path }}"`) and:
 * - warm: every request asks for the same path, so every token after the first is a cache hit;
 * - cold: every request asks for a path of its own (a counter), so every token is a miss and is
 *   signed, with the same session and subject as warm (the session check costs the same). Past
 *   10,000 tokens each miss also evicts one.
 * Both loads build every request anew (the counter goes into X-Request-Id for warm, into the
 * path for cold), so the load generator does the same work on both sides.
 * A third run is cold with an RSA key (RS256, 2048 bits, as `oathkeeper credentials generate
 * --alg RS256` makes): the usual Oathkeeper set-up, and the costliest signature.
 */
import { generateJwk } from '../../dist/proxy/jwks/index.js';
import { accessRule, decideOnce, decisionHeaders } from '../lib/access-rules.js';
import { startAccessProxyServer } from '../lib/access-servers.js';
import { browserSession } from '../lib/browser-session.js';
import { cpuPerRequestUs } from '../lib/cpu-per-request.js';
import { warmUp } from '../lib/load.js';
import { measure } from '../lib/measure.js';
import { printChecks, printHeading, printLoads, ratio } from '../lib/report.js';

const WARM_UP_SEC = 2;
const CLAIMS = '{"aud": ["bench-api"], "path": "{{ print .MatchContext.URL.Path }}"}';

/** @param {import('../lib/options.js').BenchOptions} options */
export async function runIdToken(options) {
  const es256 = await keySet('ES256');
  const rs256 = await keySet('RS256');
  const portcullis = await startAccessProxyServer({
    roles: ['api'],
    rules: [
      tokenRule('bench-id-token-es256', '/es256/', {}),
      tokenRule('bench-id-token-rs256', '/rs256/', { jwks_url: rs256 }),
    ],
    mutators: {
      id_token: {
        enabled: true,
        config: { issuer_url: 'https://auth.bench.test/', jwks_url: es256, claims: CLAIMS },
      },
    },
  });
  try {
    const { info } = portcullis;
    const apiUrl = info.apiUrl;
    if (apiUrl === undefined) throw new Error('the decision API did not start');
    const cookie = await browserSession(info.publicUrl, info.adminUrl);
    for (const prefix of ['/es256/', '/rs256/']) {
      const answer = await decideOnce(apiUrl, decisionHeaders(`${prefix}dashboard`, cookie));
      if (!answer.headers.authorization?.startsWith('Bearer ')) {
        throw new Error(`the ${prefix} decision carried no Authorization: Bearer header`);
      }
    }

    /**
     * @param {string} label
     * @param {(n: number) => { uri: string, requestId: string }} vary
     */
    const run = async (label, vary) => {
      const load = tokenLoad(apiUrl, cookie, vary, options);
      await warmUp(load, WARM_UP_SEC);
      return measure(label, load, portcullis);
    };
    const warm = await run('ES256, warm (same path: cache hit)', (n) => ({
      uri: '/es256/dashboard',
      requestId: String(n),
    }));
    const cold = await run('ES256, cold (new path: signed)', (n) => ({
      uri: `/es256/dashboard-${n}`,
      requestId: String(n),
    }));
    const coldRsa = await run('RS256, cold (new path: signed)', (n) => ({
      uri: `/rs256/dashboard-${n}`,
      requestId: String(n),
    }));

    printHeading('id-token', [
      `store: ${info.store}; cache: ${info.cache}; rule: cookie_session (in process) → allow → id_token`,
      `claims ${CLAIMS}; tokens cached per subject and rendered claims`,
      'warm: one path for every request (the token is signed once, then a cache hit);',
      'cold: a new path per request (a counter), so the rendered claims and the cache key are new and every',
      'token is signed; same session and subject as warm, so the session check costs the same.',
      `${options.connections} connections, ${options.durationSec} s each after ${WARM_UP_SEC} s warm-up; server in a child process`,
    ]);
    printLoads([warm, cold, coldRsa]);
    const warmCpu = cpuPerRequestUs(warm);
    printChecks([
      infoCheck('cold ÷ warm req/s, ES256', ratio(relative(cold, warm))),
      infoCheck('cold ÷ warm req/s, RS256', ratio(relative(coldRsa, warm))),
      infoCheck(
        'server CPU per decision: warm / ES256 cold / RS256 cold',
        `${warmCpu} / ${cpuPerRequestUs(cold)} / ${cpuPerRequestUs(coldRsa)} µs`,
      ),
      infoCheck(
        'so one signed token costs about (ES256 / RS256)',
        `${cpuPerRequestUs(cold) - warmCpu} / ${cpuPerRequestUs(coldRsa) - warmCpu} µs`,
      ),
    ]);
  } finally {
    await portcullis.stop();
  }
}

/**
 * @param {string} label
 * @param {string} measured
 * @returns {import('../lib/report.js').Check}
 */
function infoCheck(label, measured) {
  return { label, measured, target: '(info)', pass: undefined };
}

/**
 * @param {import('../lib/report.js').LoadRow} row
 * @param {import('../lib/report.js').LoadRow} reference
 */
function relative(row, reference) {
  return reference.load.rps > 0 ? row.load.rps / reference.load.rps : 0;
}

/**
 * @param {string} id
 * @param {string} prefix
 * @param {Record<string, unknown>} config  the rule's id_token config, over the global one
 */
function tokenRule(id, prefix, config) {
  return accessRule({
    id,
    prefix,
    authenticator: 'cookie_session',
    mutators: [{ handler: 'id_token', config }],
  });
}

/**
 * A `base64://` JSON Web Key Set holding one new private signing key.
 *
 * @param {'ES256' | 'RS256'} alg
 */
async function keySet(alg) {
  const set = { keys: [await generateJwk(alg, `bench-${alg.toLowerCase()}`)] };
  return `base64://${Buffer.from(JSON.stringify(set)).toString('base64')}`;
}

/**
 * Decision requests built one by one: `vary(n)` gives the n-th request's X-Forwarded-Uri and
 * X-Request-Id (n counts over every connection).
 *
 * @param {string} apiUrl
 * @param {string} cookie
 * @param {(n: number) => { uri: string, requestId: string }} vary
 * @param {import('../lib/options.js').BenchOptions} options
 * @returns {import('autocannon').Options}
 */
function tokenLoad(apiUrl, cookie, vary, options) {
  let n = 0;
  return {
    url: `${apiUrl}/decisions`,
    connections: options.connections,
    duration: options.durationSec,
    requests: [
      {
        setupRequest: (request) => {
          const { uri, requestId } = vary(n++);
          request.headers = { ...decisionHeaders(uri, cookie), 'x-request-id': requestId };
          return request;
        },
      },
    ],
  };
}
