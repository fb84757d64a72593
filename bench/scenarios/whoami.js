/**
 * `whoami`: GET /sessions/whoami from cache against a bare Fastify handler that returns the same
 * JSON body, same connections and duration, one after the other on the same machine.
 * Targets: whoami req/s >= 0.7 x baseline, whoami p99 < 10 ms.
 */
import { isClean, warmUp } from '../lib/load.js';
import { measure } from '../lib/measure.js';
import { printChecks, printHeading, printLoads, ratio } from '../lib/report.js';
import { startBaselineServer, startPortcullisServer } from '../lib/servers.js';

const RATIO_TARGET = 0.7;
const P99_TARGET_MS = 10;
const WARM_UP_SEC = 2;

/** @param {import('../lib/options.js').BenchOptions} options */
export async function runWhoami(options) {
  const portcullis = await startPortcullisServer();
  try {
    const { info } = portcullis;
    const baseline = await startBaselineServer(info.whoamiBody);
    /** @type {import('../lib/report.js').LoadRow} */
    let base;
    try {
      const load = whoamiRequest(baseline.info.url, info.token, options);
      await warmUp(load, WARM_UP_SEC);
      base = await measure('bare Fastify, constant body', load, baseline);
    } finally {
      // Stopped before the subject runs, so the idle baseline costs it nothing.
      await baseline.stop();
    }
    const load = whoamiRequest(info.publicUrl, info.token, options);
    await warmUp(load, WARM_UP_SEC);
    const whoami = await measure('whoami from cache', load, portcullis);

    printHeading('whoami', [
      `store: ${info.store}; cache: ${info.cache}; whoami body ${info.whoamiBytes} bytes (baseline: the same body)`,
      `${options.connections} connections, ${options.durationSec} s each after ${WARM_UP_SEC} s warm-up; servers in child processes`,
    ]);
    printLoads([base, whoami]);
    const relative = base.load.rps > 0 ? whoami.load.rps / base.load.rps : 0;
    printChecks([
      {
        label: 'whoami ÷ baseline req/s',
        measured: ratio(relative),
        target: `>= ${RATIO_TARGET}`,
        pass: relative >= RATIO_TARGET && isClean(whoami.load) && isClean(base.load),
      },
      {
        label: 'whoami p99',
        measured: `${whoami.load.p99} ms`,
        target: `< ${P99_TARGET_MS} ms`,
        pass: whoami.load.p99 < P99_TARGET_MS && isClean(whoami.load),
      },
    ]);
  } finally {
    await portcullis.stop();
  }
}

/**
 * Both sides get the same request, token header included, so request parsing costs the same.
 *
 * @param {string} baseUrl
 * @param {string} token
 * @param {import('../lib/options.js').BenchOptions} options
 * @returns {import('autocannon').Options}
 */
function whoamiRequest(baseUrl, token, options) {
  return {
    url: `${baseUrl}/sessions/whoami`,
    connections: options.connections,
    duration: options.durationSec,
    headers: { 'x-session-token': token },
  };
}
