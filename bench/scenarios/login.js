/**
 * `login`: native logins per second against raw argon2id verifications per second at the same
 * parameters and concurrency. Target: logins/s >= 0.85 x raw.
 *
 * Each login is what a native client does: `GET /self-service/login/api` for a fresh flow, then
 * `POST /self-service/login?flow=<id>` with the identifier and password of one of a few dozen
 * identities created up front (so every login verifies one argon2id hash and succeeds).
 * Brute-force protection stays on, as shipped: successful logins take their count back, so
 * right passwords are never throttled; a 429 would show in the table and fail the check.
 */
import { createAccounts } from '../lib/accounts.js';
import { isClean, sleep } from '../lib/load.js';
import {
  loginConnections,
  loginCpuChecks,
  loginFailureChecks,
  loginSummary,
  startLogins,
} from '../lib/login-load.js';
import { measureRun } from '../lib/measure.js';
import { measureRawHashing } from '../lib/raw-hashing.js';
import { ms, percent, printChecks, printHeading, printLoads, ratio, warnIfDisturbed } from '../lib/report.js';
import { startPortcullisServer } from '../lib/servers.js';

const RATIO_TARGET = 0.85;
/**
 * Identities signed in to in turn: a few dozen (at least two per connection), so no two logins
 * to one account are ever in flight together.
 */
const ACCOUNTS = 32;
const WARM_UP_SEC = 2;
/** Ample for the few queued logins (a handful x ~20 ms) to finish before the server stops. */
const DRAIN_MS = 1000;

/** @param {import('../lib/options.js').BenchOptions} options */
export async function runLogin(options) {
  const raw = await measureRawHashing(options.durationSec, 'verify');
  const connections = loginConnections(options);
  const portcullis = await startPortcullisServer();
  try {
    const { info } = portcullis;
    const accounts = await createAccounts(info.adminUrl, Math.max(ACCOUNTS, 2 * connections));
    const load = { publicUrl: info.publicUrl, accounts, connections };
    await startLogins({ ...load, durationSec: WARM_UP_SEC }).done;
    await sleep(DRAIN_MS);
    /** @type {import('../lib/login-load.js').LoginStats | undefined} */
    let stats;
    const row = await measureRun(
      'native logins (GET flow + POST password)',
      async () => {
        stats = await startLogins({ ...load, durationSec: options.durationSec }).done;
        return loginSummary(stats);
      },
      portcullis,
    );
    await sleep(DRAIN_MS);
    if (stats === undefined) throw new Error('the login load did not report');

    printHeading('login', [
      `store: ${info.store}; cache: ${info.cache}; brute-force protection on (defaults)`,
      `${connections} connections, each looping GET /self-service/login/api then POST /self-service/login?flow=<id>`,
      `(a fresh flow per login) over ${accounts.length} identities, ${options.durationSec} s after ${WARM_UP_SEC} s warm-up.`,
      `Raw argon2id verify in this process: ${raw.hashesPerSec.toFixed(1)}/s at concurrency ${raw.concurrency} (server limiter), ${ms(raw.meanMs)} each; other CPU ${percent(raw.otherCpuPercent)}.`,
      'req/s is logins/s (successful POSTs); p50/p99 time the POST alone, from request to session.',
    ]);
    warnIfDisturbed('the raw hashing', raw.otherCpuPercent);
    printLoads([row]);
    const relative = raw.hashesPerSec > 0 ? stats.perSec / raw.hashesPerSec : 0;
    printChecks([
      {
        label: 'logins/s ÷ raw argon2id verifications/s',
        measured: `${stats.perSec.toFixed(1)} / ${raw.hashesPerSec.toFixed(1)} = ${ratio(relative)}`,
        target: `>= ${RATIO_TARGET}`,
        pass: relative >= RATIO_TARGET && isClean(row.load),
      },
      {
        label: 'logins throttled (429)',
        measured: String(stats.throttled),
        target: '(info)',
        pass: undefined,
      },
      ...loginFailureChecks(stats),
      ...loginCpuChecks(row.server, stats.perSec, raw),
    ]);
  } finally {
    await portcullis.stop();
  }
}
