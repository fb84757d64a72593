/**
 * Native logins as a client makes them, one fresh flow per login: every autocannon connection
 * loops over two requests, `GET /self-service/login/api` (a new flow) and then
 * `POST /self-service/login?flow=<that flow's id>` with an account's identifier and password.
 * The flow id goes from the first response to the second request through autocannon's
 * per-connection context (`onResponse` writes it, `setupRequest` reads it), so no flow is ever
 * submitted twice and no pool has to be sized in advance.
 *
 * autocannon's own figures mix both requests, so the logins are counted here instead: each POST
 * is timed from the moment its request is built (just before it is written) to its response,
 * and recorded with its status, so that any window of the run (the whoami window of
 * `whoami-under-hashing`) can be summarised on its own.
 */
import autocannon from 'autocannon';
import { sharedHashPool } from '../../dist/hash/index.js';

/**
 * How many connections a login load uses: BENCH_LOGIN_CONNECTIONS, else the server's hash pool
 * capacity (a running and a queued hash per worker thread, one worker per core: 4 on 2 cores;
 * the server child computes the same). Each connection spends part of a login outside the pool
 * (the GET for the flow, the session written after the hash), so the workers' queues are not
 * always full, but measured on 2 cores more connections only lengthen the queue: 4 connections
 * gave 139-154 logins/s at p99 41-47 ms, 5 and 6 gave 127-149/s at p99 59-83 ms.
 *
 * @param {import('./options.js').BenchOptions} options
 */
export function loginConnections(options) {
  return options.loginConnections ?? sharedHashPool().capacity;
}

/**
 * @typedef {object} LoginStats
 * @property {number} seconds      length of the window
 * @property {number} ok           logins answered 200 with a session token
 * @property {number} perSec       ok ÷ seconds
 * @property {number} p50          ms, submit latency (the POST) of the successful logins
 * @property {number} p99
 * @property {number} throttled    submits answered 429 (brute-force protection)
 * @property {number} otherFailed  submits answered anything else but 200 with a token
 * @property {number} flowFailed   flow creations (GET) answered anything but 200 with an id
 * @property {number} errors       connection errors and timeouts
 * @property {Record<string, number>} statuses  every non-200 status seen, with its count
 */

/**
 * @typedef {object} LoginRun
 * @property {Promise<LoginStats>} done  the whole run, once autocannon has finished
 * @property {() => number} mark         a point in the run (now), for {@link LoginRun.since}
 * @property {(from: number) => LoginStats} since  the logins between `from` and now
 */

/**
 * @param {object} options
 * @param {string} options.publicUrl
 * @param {import('./accounts.js').Account[]} options.accounts  used in turn
 * @param {number} options.connections
 * @param {number} options.durationSec
 * @returns {LoginRun}
 */
export function startLogins({ publicUrl, accounts, connections, durationSec }) {
  if (accounts.length === 0) throw new Error('no accounts to sign in to');
  /** One entry per submit or failed flow creation: when it ended, how long it took, its status. */
  const records =
    /** @type {Array<{ at: number, ms: number, status: number, step: 'flow' | 'login' }>} */ ([]);
  const errorTimes = /** @type {number[]} */ ([]);
  let next = 0;

  /** @type {import('autocannon').Options} */
  const options = {
    url: publicUrl,
    connections,
    duration: durationSec,
    requests: [
      {
        method: 'GET',
        path: '/self-service/login/api',
        headers: { accept: 'application/json' },
        onResponse: (status, body, context) => {
          const id = status === 200 ? flowIdOf(body) : undefined;
          if (id === undefined) {
            records.push({ at: performance.now(), ms: 0, status, step: 'flow' });
            context.flowId = undefined;
          } else {
            context.flowId = id;
          }
        },
      },
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        // Returning null (no flow to submit) makes autocannon start over with a new flow.
        setupRequest: (request, context) => {
          const flowId = context.flowId;
          if (typeof flowId !== 'string') return null;
          const account = /** @type {import('./accounts.js').Account} */ (accounts[next++ % accounts.length]);
          context.submittedAt = performance.now();
          return {
            ...request,
            path: `/self-service/login?flow=${encodeURIComponent(flowId)}`,
            body: JSON.stringify({
              method: 'password',
              identifier: account.identifier,
              password: account.password,
            }),
          };
        },
        onResponse: (status, body, context) => {
          const now = performance.now();
          const started = typeof context.submittedAt === 'number' ? context.submittedAt : now;
          // 200 alone could be a flow page; a login answers with the token (else status 0).
          const withToken = status !== 200 || body.includes('"session_token"');
          records.push({ at: now, ms: now - started, status: withToken ? status : 0, step: 'login' });
        },
      },
    ],
  };

  const startedAt = performance.now();
  /** @type {import('autocannon').Instance | undefined} */
  let instance;
  const done = new Promise((resolve, reject) => {
    instance = autocannon(options, (error) => {
      if (error) reject(error);
      else resolve(summarise(records, errorTimes, startedAt, performance.now()));
    });
  });
  instance?.on('reqError', () => {
    errorTimes.push(performance.now());
  });
  // Callers await `done` only after a window measured meanwhile: until then a failed run must not
  // count as an unhandled rejection (which would end the bench before its servers are stopped).
  done.catch(() => undefined);
  return {
    done,
    mark: () => performance.now(),
    since: (from) => summarise(records, errorTimes, from, performance.now()),
  };
}

/**
 * @param {string} body
 * @returns {string | undefined}
 */
function flowIdOf(body) {
  try {
    const id = /** @type {{ id?: unknown }} */ (JSON.parse(body)).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @param {Array<{ at: number, ms: number, status: number, step: 'flow' | 'login' }>} records
 * @param {number[]} errorTimes
 * @param {number} from
 * @param {number} to
 * @returns {LoginStats}
 */
function summarise(records, errorTimes, from, to) {
  const inWindow = records.filter((r) => r.at >= from && r.at <= to);
  const latencies = [];
  /** @type {Record<string, number>} */
  const statuses = {};
  let throttled = 0;
  let otherFailed = 0;
  let flowFailed = 0;
  for (const record of inWindow) {
    if (record.step === 'login' && record.status === 200) {
      latencies.push(record.ms);
      continue;
    }
    const key = `${record.step === 'flow' ? 'GET flow' : 'POST login'} ${record.status === 0 ? '200 without token' : record.status}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (record.step === 'flow') flowFailed++;
    else if (record.status === 429) throttled++;
    else otherFailed++;
  }
  latencies.sort((a, b) => a - b);
  const seconds = (to - from) / 1000;
  return {
    seconds,
    ok: latencies.length,
    perSec: seconds > 0 ? latencies.length / seconds : 0,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    throttled,
    otherFailed,
    flowFailed,
    errors: errorTimes.filter((at) => at >= from && at <= to).length,
    statuses,
  };
}

/**
 * Nearest-rank percentile, in whole ms like autocannon's.
 *
 * @param {number[]} sorted
 * @param {number} p
 */
function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return Math.round(/** @type {number} */ (sorted[rank - 1]));
}

/**
 * The table row of a login window: logins/s in the req/s column, submit latencies, and every
 * failure (throttled or not) as non-2xx, so that a check never passes over them.
 *
 * @param {LoginStats} stats
 * @returns {import('./load.js').LoadSummary}
 */
export function loginSummary(stats) {
  return {
    rps: stats.perSec,
    okPerSec: stats.perSec,
    p50: stats.p50,
    p99: stats.p99,
    errors: stats.errors,
    non2xx: stats.throttled + stats.otherFailed + stats.flowFailed,
  };
}

/**
 * Where the server's CPU went per login, as informational check rows: the event loop (main
 * thread) apart from the other threads (argon2 on the hash pool's workers, mostly), against what
 * one raw verification costs. Loop time per login is the cost beyond hashing; the wait for a core
 * is what the hash workers and the load generator on the same cores do to the loop.
 *
 * @param {import('./probe.js').ProbeReport | undefined} server
 * @param {number} loginsPerSec
 * @param {import('./raw-hashing.js').RawHashing} raw
 * @returns {import('./report.js').Check[]}
 */
export function loginCpuChecks(server, loginsPerSec, raw) {
  if (server === undefined || loginsPerSec <= 0) return [];
  const perLogin = (/** @type {number} */ percentOfCore) => (10 * percentOfCore) / loginsPerSec;
  const total = perLogin(server.cpuPercent);
  const rows = [
    {
      label: 'server CPU per login (all threads)',
      measured: `${total.toFixed(1)} ms`,
      target: `(info; raw: ${raw.cpuMsPerHash.toFixed(1)} ms per verify)`,
      pass: undefined,
    },
  ];
  if (server.loopCpuPercent !== undefined && server.loopWaitPercent !== undefined) {
    const loop = perLogin(server.loopCpuPercent);
    rows.push(
      {
        label: '  of which event loop (main thread)',
        measured: `${loop.toFixed(2)} ms`,
        target: `(info; ${(100 * (loop / total)).toFixed(0)}%)`,
        pass: undefined,
      },
      {
        label: 'event loop on CPU / waiting for a core',
        measured: `${server.loopCpuPercent.toFixed(0)}% / ${server.loopWaitPercent.toFixed(0)}%`,
        target: '(info; of wall time)',
        pass: undefined,
      },
    );
  }
  return rows;
}

/**
 * Every non-200 answer but 429 (reported on a line of its own), so that a failed check says why.
 *
 * @param {LoginStats} stats
 * @returns {import('./report.js').Check[]}
 */
export function loginFailureChecks(stats) {
  return Object.entries(stats.statuses)
    .filter(([key]) => !key.endsWith(' 429'))
    .map(([key, count]) => ({
      label: `  ${key}`,
      measured: String(count),
      target: '(info)',
      pass: undefined,
    }));
}
