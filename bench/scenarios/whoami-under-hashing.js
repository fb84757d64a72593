/**
 * `whoami-under-hashing`: whoami p99 while native logins saturate the CPU with argon2id.
 *
 * Logins run as in the `login` scenario (a fresh flow per login, right passwords, brute-force
 * protection on), on enough connections to keep the server's hash pool full, from before to
 * after a whoami load on BENCH_CONNECTIONS. Target: whoami p99 < 25 ms over that window. The
 * logins/s inside the window against raw argon2id verifications/s is printed for information
 * (the login throughput target is the `login` scenario's, with no whoami load beside it).
 *
 * Identity creation (POST /admin/identities with a plain-text password), which stood in for
 * logins before the login flow existed, is gone: it loaded the CPU the same way (one argon2id
 * derivation through the same pool), so it told nothing the real logins do not.
 */
import { createAccounts } from '../lib/accounts.js';
import { isClean, sleep, warmUp } from '../lib/load.js';
import { loginConnections, loginFailureChecks, loginSummary, startLogins } from '../lib/login-load.js';
import { measure } from '../lib/measure.js';
import { measureRawHashing } from '../lib/raw-hashing.js';
import { ms, percent, printChecks, printHeading, printLoads, ratio, warnIfDisturbed } from '../lib/report.js';
import { startPortcullisServer } from '../lib/servers.js';

const P99_TARGET_MS = 25;
/** Identities signed in to in turn (as in `login`: at least two per connection). */
const ACCOUNTS = 32;
/** The login load runs this long before and after the whoami window, so it covers it. */
const MARGIN_SEC = 1;
const WARM_UP_SEC = 2;
/** Ample for the few queued logins to finish before the server stops. */
const DRAIN_MS = 1000;

/** @param {import('../lib/options.js').BenchOptions} options */
export async function runWhoamiUnderHashing(options) {
  const raw = await measureRawHashing(options.durationSec, 'verify');
  const connections = loginConnections(options);
  const portcullis = await startPortcullisServer();
  try {
    const { info } = portcullis;
    const accounts = await createAccounts(info.adminUrl, Math.max(ACCOUNTS, 2 * connections));
    const logins = { publicUrl: info.publicUrl, accounts, connections };
    await startLogins({ ...logins, durationSec: 1 }).done;
    await sleep(DRAIN_MS);

    const whoami = {
      url: `${info.publicUrl}/sessions/whoami`,
      connections: options.connections,
      duration: options.durationSec,
      headers: { 'x-session-token': info.token },
    };
    await warmUp(whoami, WARM_UP_SEC);
    const background = startLogins({ ...logins, durationSec: options.durationSec + 2 * MARGIN_SEC });
    await sleep(MARGIN_SEC * 1000);
    const from = background.mark();
    const underLoad = await measure('GET /sessions/whoami, while logging in', whoami, portcullis);
    const during = background.since(from);
    await background.done;
    // autocannon drops its sockets at the deadline, but the server still finishes the logins it
    // queued; stopping under them would only log "driver has already been destroyed" noise.
    await sleep(DRAIN_MS);

    printHeading('whoami-under-hashing', [
      `store: ${info.store}; cache: ${info.cache}; brute-force protection on (defaults)`,
      `Native logins (GET flow + POST password, a fresh flow each, ${accounts.length} identities) on ${connections} connections,`,
      `from ${MARGIN_SEC} s before to ${MARGIN_SEC} s after whoami on ${options.connections} connections for ${options.durationSec} s (after ${WARM_UP_SEC} s warm-up).`,
      `Raw argon2id verify in this process: ${raw.hashesPerSec.toFixed(1)}/s with ${raw.concurrency} in flight on ${raw.workers} worker threads (as the server's pool), ${ms(raw.meanMs)} each; other CPU ${percent(raw.otherCpuPercent)}.`,
      'The logins row counts logins inside the whoami window only; its p50/p99 time the POST alone.',
    ]);
    warnIfDisturbed('the raw hashing', raw.otherCpuPercent);
    const loginRow = { label: 'native logins, during whoami', load: loginSummary(during) };
    printLoads([loginRow, underLoad]);
    const relative = raw.hashesPerSec > 0 ? during.perSec / raw.hashesPerSec : 0;
    const server = underLoad.server;
    printChecks([
      {
        label: 'whoami p99 while logins saturate the CPU',
        measured: `${underLoad.load.p99} ms`,
        target: `< ${P99_TARGET_MS} ms`,
        // Only over a real login load: with failed or no logins the CPU was not saturated.
        pass:
          underLoad.load.p99 < P99_TARGET_MS &&
          isClean(underLoad.load) &&
          during.ok > 0 &&
          isClean(loginRow.load),
      },
      {
        label: 'server event-loop delay p99 / max',
        measured: `${ms(server?.loopP99Ms ?? 0)} / ${ms(server?.loopMaxMs ?? 0)}`,
        target: '(info)',
        pass: undefined,
      },
      ...(server?.loopCpuPercent !== undefined && server.loopWaitPercent !== undefined
        ? [
            {
              label: 'event loop on CPU / waiting for a core',
              measured: `${server.loopCpuPercent.toFixed(0)}% / ${server.loopWaitPercent.toFixed(0)}%`,
              target: '(info; of wall time)',
              pass: undefined,
            },
          ]
        : []),
      {
        label: 'logins/s during whoami ÷ raw verifications/s',
        measured: `${during.perSec.toFixed(1)} / ${raw.hashesPerSec.toFixed(1)} = ${ratio(relative)}`,
        target: '(info)',
        pass: undefined,
      },
      {
        label: 'logins throttled (429)',
        measured: String(during.throttled),
        target: '(info)',
        pass: undefined,
      },
      ...loginFailureChecks(during),
    ]);
  } finally {
    await portcullis.stop();
  }
}
