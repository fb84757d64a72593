/**
 * `login`: native logins per second against raw argon2id verifications per second at the same
 * parameters and concurrency. Target: logins/s >= 0.85 x raw.
 *
 * Each login is what a native client does: `GET /self-service/login/api` for a fresh flow, then
 * `POST /self-service/login?flow=<id>` with the identifier and password of one of a few dozen
 * identities created up front (so every login verifies one argon2id hash and succeeds).
 * Brute-force protection stays on, as shipped: successful logins take their count back, so
 * right passwords are never throttled; a 429 would show in the table and fail the check.
 *
 * Two measurement choices, both because a cloud VM's speed drifts and a JIT warms up:
 * - **Warm-up long enough for V8.** At ~100 logins/s the login path's functions are called a few
 *   hundred times a second: they reach optimised code after tens of seconds, not two (measured:
 *   the server's event-loop CPU per login falls from 2.8 to 1.8 ms over the first 20-30 s, and
 *   the load generator's with it). A server in production runs in that steady state.
 * - **Raw hashing and logins interleaved in rounds.** The same raw figure measured a minute
 *   apart moves by ±5% on a shared VM; one raw run before one login run compares two different
 *   machines. Each round measures raw hashing (server idle), then logins, for the same time (2 s,
 *   so 5 rounds in the default 10 s); the ratio is the logins of all rounds over the raw
 *   verifications of all rounds.
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
/** See the module comment: the event loop's cost per login settles after 20-30 s of logins. */
const WARM_UP_SEC = 30;
/**
 * Rounds of about this many seconds each share BENCH_DURATION (at least one round). Short, so
 * that raw hashing and logins take turns often: this VM's speed drifts within seconds (two 5-s
 * raw rounds of one run read up to 20% apart), and the more turns, the more the drift cancels.
 */
const ROUND_SEC = 2;
/**
 * Logins run this long before and after each round's measured window: the window sees the load
 * in its steady state, not autocannon starting its connections or closing them (which, counted
 * in a 2-s round, cost it several percent).
 */
const EDGE_SEC = 0.5;
/** Ample for the few queued logins (a handful x ~20 ms) to finish before the next step. */
const DRAIN_MS = 1000;

/** @param {import('../lib/options.js').BenchOptions} options */
export async function runLogin(options) {
  const connections = loginConnections(options);
  const rounds = Math.max(1, Math.round(options.durationSec / ROUND_SEC));
  const roundSec = options.durationSec / rounds;
  const portcullis = await startPortcullisServer();
  try {
    const { info } = portcullis;
    const accounts = await createAccounts(info.adminUrl, Math.max(ACCOUNTS, 2 * connections));
    const load = { publicUrl: info.publicUrl, accounts, connections };
    await startLogins({ ...load, durationSec: WARM_UP_SEC }).done;
    await sleep(DRAIN_MS);

    /** @type {import('../lib/raw-hashing.js').RawHashing[]} */
    const raws = [];
    /** @type {import('../lib/login-load.js').LoginStats[]} */
    const logins = [];
    /** @type {import('../lib/report.js').LoadRow[]} */
    const rows = [];
    for (let round = 1; round <= rounds; round++) {
      raws.push(await measureRawHashing(roundSec, 'verify'));
      /** @type {import('../lib/login-load.js').LoginStats | undefined} */
      let stats;
      const label =
        rounds === 1 ? 'native logins (GET flow + POST password)' : `native logins, round ${round}`;
      const run = startLogins({ ...load, durationSec: roundSec + 2 * EDGE_SEC });
      await sleep(EDGE_SEC * 1000);
      rows.push(
        await measureRun(
          label,
          async () => {
            const from = run.mark();
            await sleep(roundSec * 1000);
            stats = run.since(from);
            return loginSummary(stats);
          },
          portcullis,
        ),
      );
      await run.done;
      if (stats === undefined) throw new Error('the login load did not report');
      logins.push(stats);
      await sleep(DRAIN_MS);
    }

    const raw = meanRaw(raws);
    const loginsPerSec = mean(logins.map((s) => s.perSec));
    printHeading('login', [
      `store: ${info.store}; cache: ${info.cache}; brute-force protection on (defaults)`,
      `${connections} connections, each looping GET /self-service/login/api then POST /self-service/login?flow=<id>`,
      `(a fresh flow per login) over ${accounts.length} identities, after ${WARM_UP_SEC} s of warm-up;`,
      `${rounds} round(s) of ${roundSec.toFixed(1)} s raw argon2id verify in this process (server idle), then ${roundSec.toFixed(1)} s of logins (timed from ${EDGE_SEC} s after they start).`,
      `Raw verify per round: ${raws.map((r) => `${r.hashesPerSec.toFixed(1)}/s`).join(', ')} with ${raw.concurrency} in flight on ${raw.workers} worker threads (as the server's pool), ${ms(raw.meanMs)} each; other CPU up to ${percent(raw.otherCpuPercent)}.`,
      'req/s is logins/s (successful POSTs); p50/p99 time the POST alone, from request to session.',
    ]);
    warnIfDisturbed('the raw hashing', raw.otherCpuPercent);
    printLoads(rows);
    const relative = raw.hashesPerSec > 0 ? loginsPerSec / raw.hashesPerSec : 0;
    printChecks([
      {
        label: 'logins/s ÷ raw argon2id verifications/s',
        measured: `${loginsPerSec.toFixed(1)} / ${raw.hashesPerSec.toFixed(1)} = ${ratio(relative)}`,
        target: `>= ${RATIO_TARGET}`,
        pass: relative >= RATIO_TARGET && rows.every((row) => isClean(row.load)),
      },
      {
        label: 'logins throttled (429)',
        measured: String(logins.reduce((sum, s) => sum + s.throttled, 0)),
        target: '(info)',
        pass: undefined,
      },
      ...logins.flatMap(loginFailureChecks),
      ...loginCpuChecks(meanServer(rows), loginsPerSec, raw),
    ]);
  } finally {
    await portcullis.stop();
  }
}

/** @param {number[]} values */
function mean(values) {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/**
 * Rounds last equally long, so the mean rate is the rate over all of them.
 *
 * @param {import('../lib/raw-hashing.js').RawHashing[]} raws
 * @returns {import('../lib/raw-hashing.js').RawHashing}
 */
function meanRaw(raws) {
  const [first] = raws;
  if (first === undefined) throw new Error('no raw hashing round');
  return {
    operation: first.operation,
    concurrency: first.concurrency,
    workers: first.workers,
    hashesPerSec: mean(raws.map((r) => r.hashesPerSec)),
    meanMs: mean(raws.map((r) => r.meanMs)),
    cpuMsPerHash: mean(raws.map((r) => r.cpuMsPerHash)),
    otherCpuPercent: Math.max(...raws.map((r) => r.otherCpuPercent)),
  };
}

/**
 * The server's CPU over all login rounds (equally long): the mean of each figure.
 *
 * @param {import('../lib/report.js').LoadRow[]} rows
 * @returns {import('../lib/probe.js').ProbeReport | undefined}
 */
function meanServer(rows) {
  const reports = rows.flatMap((row) => (row.server === undefined ? [] : [row.server]));
  if (reports.length !== rows.length) return undefined;
  const loopCpu = reports.map((r) => r.loopCpuPercent);
  const loopWait = reports.map((r) => r.loopWaitPercent);
  return {
    cpuPercent: mean(reports.map((r) => r.cpuPercent)),
    loopP99Ms: Math.max(...reports.map((r) => r.loopP99Ms)),
    loopMaxMs: Math.max(...reports.map((r) => r.loopMaxMs)),
    ...(loopCpu.every((v) => v !== undefined) && loopWait.every((v) => v !== undefined)
      ? { loopCpuPercent: mean(loopCpu), loopWaitPercent: mean(loopWait) }
      : {}),
  };
}
