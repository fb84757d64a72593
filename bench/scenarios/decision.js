/**
 * `decision`: the decision API (`/decisions`, as Traefik's ForwardAuth or nginx's `auth_request`
 * call it) with an in-process `cookie_session` check, against a bare Fastify handler that gives
 * the very same answer. Targets: decisions/s >= 0.6 x baseline, decision p99 < 10 ms.
 *
 * The rule is the common one: `cookie_session` (check_session_url = this process's own whoami,
 * so the check runs in process) → `allow` → `header` (X-User, X-User-Email). The session is a
 * real one: an identity created over the admin API, signed in to through the browser login flow.
 */

import { accessRule, decideOnce, decisionHeaders, IDENTITY_HEADERS } from '../lib/access-rules.js';
import { startAccessProxyServer, startDecisionBaseline } from '../lib/access-servers.js';
import { browserSession } from '../lib/browser-session.js';
import { cpuPerRequestUs } from '../lib/cpu-per-request.js';
import { isClean, warmUp } from '../lib/load.js';
import { measure } from '../lib/measure.js';
import { printChecks, printHeading, printLoads, ratio } from '../lib/report.js';

const RATIO_TARGET = 0.6;
const P99_TARGET_MS = 10;
const WARM_UP_SEC = 2;
const URI = '/dashboard?tab=1';

/** @param {import('../lib/options.js').BenchOptions} options */
export async function runDecision(options) {
  const portcullis = await startAccessProxyServer({
    roles: ['api'],
    rules: [
      accessRule({
        id: 'bench-decision',
        prefix: '/',
        authenticator: 'cookie_session',
        mutators: [{ handler: 'header', config: { headers: IDENTITY_HEADERS } }],
      }),
    ],
  });
  try {
    const { info } = portcullis;
    if (info.apiUrl === undefined) throw new Error('the decision API did not start');
    const cookie = await browserSession(info.publicUrl, info.adminUrl);
    const headers = decisionHeaders(URI, cookie);
    const answer = await decideOnce(info.apiUrl, headers);
    if (answer.headers['x-user'] === undefined) throw new Error('the decision carried no X-User header');

    const baseline = await startDecisionBaseline(answer);
    /** @type {import('../lib/report.js').LoadRow} */
    let base;
    try {
      const load = decisionLoad(baseline.info.url, headers, options);
      await warmUp(load, WARM_UP_SEC);
      base = await measure('bare Fastify, same answer', load, baseline);
    } finally {
      // Stopped before the subject runs, so the idle baseline costs it nothing.
      await baseline.stop();
    }
    const load = decisionLoad(info.apiUrl, headers, options);
    await warmUp(load, WARM_UP_SEC);
    const decision = await measure('decision, cookie_session in process', load, portcullis);

    printHeading('decision', [
      `store: ${info.store}; cache: ${info.cache}; one rule: cookie_session (in process) → allow → header`,
      `GET /decisions with X-Forwarded-Method/Proto/Host/Uri and a browser session cookie; answer 200 with X-User, X-User-Email`,
      `baseline: bare Fastify on /decisions answering the same status and headers (${Object.keys(answer.headers).join(', ')})`,
      `${options.connections} connections, ${options.durationSec} s each after ${WARM_UP_SEC} s warm-up; servers in child processes`,
    ]);
    printLoads([base, decision]);
    const relative = base.load.rps > 0 ? decision.load.rps / base.load.rps : 0;
    printChecks([
      {
        label: 'decisions ÷ baseline req/s',
        measured: ratio(relative),
        target: `>= ${RATIO_TARGET}`,
        pass: relative >= RATIO_TARGET && isClean(decision.load) && isClean(base.load),
      },
      {
        label: 'decision p99',
        measured: `${decision.load.p99} ms`,
        target: `< ${P99_TARGET_MS} ms`,
        pass: decision.load.p99 < P99_TARGET_MS && isClean(decision.load),
      },
      {
        label: 'server CPU per decision / per baseline answer',
        measured: `${cpuPerRequestUs(decision)} / ${cpuPerRequestUs(base)} µs`,
        target: '(info)',
        pass: undefined,
      },
    ]);
  } finally {
    await portcullis.stop();
  }
}

/**
 * Both sides get the same request, cookie included, so request parsing costs the same.
 *
 * @param {string} baseUrl
 * @param {Record<string, string>} headers
 * @param {import('../lib/options.js').BenchOptions} options
 * @returns {import('autocannon').Options}
 */
function decisionLoad(baseUrl, headers, options) {
  return {
    url: `${baseUrl}/decisions`,
    connections: options.connections,
    duration: options.durationSec,
    headers,
  };
}
