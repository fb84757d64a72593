/**
 * `whoami-under-hashing`: whoami p99 while password hashing saturates the CPU.
 *
 * The login flow does not exist yet, so POST /admin/identities with a plain-text password
 * stands in for logins: each one argon2id-hashes on the server, off the event loop, at the
 * default (OWASP) parameters, as a login's verification will. Targets: whoami p99 < 25 ms
 * under that load; identities/s >= 0.85 x raw argon2id hashes/s at the same parameters and
 * concurrency (stand-in for the login throughput target).
 */
import { randomBytes } from 'node:crypto';
import { fireCounting } from '../lib/counting.js';
import { isClean, summarise, warmUp } from '../lib/load.js';
import { measure } from '../lib/measure.js';
import { measureRawHashing } from '../lib/raw-hashing.js';
import { ms, percent, printChecks, printHeading, printLoads, ratio, warnIfDisturbed } from '../lib/report.js';
import { startPortcullisServer } from '../lib/servers.js';

const P99_TARGET_MS = 25;
const THROUGHPUT_TARGET = 0.85;
/** Enough to keep the server's hash limiter (3 slots on 2 cores) full with one queued. */
const HASH_CONNECTIONS = 4;
/** The identity load runs this long before and after the whoami window, so it covers it. */
const MARGIN_SEC = 1;
const WARM_UP_SEC = 2;
/** Ample for the few queued hashes (4 connections x ~20 ms) to finish before the server stops. */
const DRAIN_MS = 1000;

/** @param {import('../lib/options.js').BenchOptions} options */
export async function runWhoamiUnderHashing(options) {
  const raw = await measureRawHashing(options.durationSec);
  const portcullis = await startPortcullisServer();
  try {
    const { info } = portcullis;
    const identities = identityLoad(info.adminUrl, options.durationSec);
    await warmUp(identities, 1);
    await sleep(DRAIN_MS);
    const alone = await measure('POST /admin/identities, alone', identities, portcullis);

    const whoami = {
      url: `${info.publicUrl}/sessions/whoami`,
      connections: options.connections,
      duration: options.durationSec,
      headers: { 'x-session-token': info.token },
    };
    await warmUp(whoami, WARM_UP_SEC);
    const background = fireCounting(identityLoad(info.adminUrl, options.durationSec + 2 * MARGIN_SEC));
    await sleep(MARGIN_SEC * 1000);
    const okBefore = background.okSoFar();
    const windowStart = performance.now();
    const underLoad = await measure('GET /sessions/whoami, while hashing', whoami, portcullis);
    const windowSec = (performance.now() - windowStart) / 1000;
    const identitiesPerSec = (background.okSoFar() - okBefore) / windowSec;
    const during = await background.done;
    // autocannon drops its sockets at the deadline, but the server still finishes the hashes it
    // queued; stopping under them would only log "driver has already been destroyed" noise.
    await sleep(DRAIN_MS);

    printHeading('whoami-under-hashing', [
      `store: ${info.store}; cache: ${info.cache}`,
      'Stand-in for logins until the login flow lands: POST /admin/identities with a plain-text',
      `password (argon2id, server defaults) on ${HASH_CONNECTIONS} connections, while whoami runs on ${options.connections}.`,
      `Raw argon2id in this process: ${raw.hashesPerSec.toFixed(1)} hashes/s at concurrency ${raw.concurrency} (server limiter), ${ms(raw.meanMs)} per hash; other CPU ${percent(raw.otherCpuPercent)}.`,
      `The "while hashing" identities row counts 2xx inside the ${options.durationSec} s whoami window only.`,
    ]);
    warnIfDisturbed('the raw hashing', raw.otherCpuPercent);
    const duringRow = {
      label: 'POST /admin/identities, during whoami',
      load: { ...summarise(during), rps: identitiesPerSec },
    };
    printLoads([alone, duringRow, underLoad]);
    const duringRatio = identitiesPerSec / raw.hashesPerSec;
    const aloneRatio = alone.load.okPerSec / raw.hashesPerSec;
    printChecks([
      {
        label: 'whoami p99 while hashing',
        measured: `${underLoad.load.p99} ms`,
        target: `< ${P99_TARGET_MS} ms`,
        pass: underLoad.load.p99 < P99_TARGET_MS && isClean(underLoad.load),
      },
      {
        label: 'server event-loop delay p99 / max',
        measured: `${ms(underLoad.server?.loopP99Ms ?? 0)} / ${ms(underLoad.server?.loopMaxMs ?? 0)}`,
        target: '(info)',
        pass: undefined,
      },
      {
        label: 'identities/s during whoami ÷ raw hashes/s',
        measured: `${identitiesPerSec.toFixed(1)} / ${raw.hashesPerSec.toFixed(1)} = ${ratio(duringRatio)}`,
        target: `>= ${THROUGHPUT_TARGET}`,
        pass: duringRatio >= THROUGHPUT_TARGET && isClean(summarise(during)),
      },
      {
        label: 'identities/s alone ÷ raw hashes/s',
        measured: `${alone.load.okPerSec.toFixed(1)} / ${raw.hashesPerSec.toFixed(1)} = ${ratio(aloneRatio)}`,
        target: `>= ${THROUGHPUT_TARGET}`,
        pass: aloneRatio >= THROUGHPUT_TARGET && isClean(alone.load),
      },
    ]);
  } finally {
    await portcullis.stop();
  }
}

/**
 * POST /admin/identities, each body with a new email (the password identifier must be unique).
 *
 * @param {string} adminUrl
 * @param {number} durationSec
 * @returns {import('autocannon').Options}
 */
function identityLoad(adminUrl, durationSec) {
  const run = randomBytes(4).toString('hex');
  let next = 0;
  return {
    url: adminUrl,
    connections: HASH_CONNECTIONS,
    duration: durationSec,
    requests: [
      {
        method: 'POST',
        path: '/admin/identities',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            schema_id: 'default',
            traits: { email: `bench-${run}-${next++}@bench.example` },
            credentials: { password: { config: { password: 'a long bench passphrase, not a real one' } } },
          }),
        }),
      },
    ],
  };
}

/** @param {number} millis */
function sleep(millis) {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
