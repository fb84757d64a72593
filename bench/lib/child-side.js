/**
 * Child side of a server child: report `ready` with what the parent needs, answer probe
 * requests, and close cleanly on SIGTERM/SIGINT or as soon as the parent goes away, so that
 * a crashed or interrupted bench never leaves a server listening.
 */
import { createWindowProfiler } from './cpu-profile.js';
import { createProbe } from './probe.js';

/**
 * @template T
 * @typedef {object} Started
 * @property {T} info
 * @property {() => Promise<void>} close
 * @property {() => import('./probe.js').Gauge} [gauge]  the hash limiter, for the probe to watch
 */

/**
 * A profile that cannot be taken or written costs the figures nothing: say so and go on.
 *
 * @param {unknown} error
 * @returns {undefined}
 */
function profileFailed(error) {
  console.error('bench: CPU profile failed:', error);
  return undefined;
}

/**
 * @template T
 * @param {() => Promise<Started<T>>} start
 */
export async function runChild(start) {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('run this file through bench/run.js (it needs an IPC channel)');
  /** @type {Started<T> | undefined} */
  let started;
  const probe = createProbe();
  const profileDir = process.env.BENCH_PROFILE;
  const profiler = profileDir ? createWindowProfiler(profileDir) : undefined;
  let closing = false;

  async function shutdown() {
    if (closing) return;
    closing = true;
    try {
      await started?.close();
    } finally {
      process.exit(0);
    }
  }
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  process.once('disconnect', () => void shutdown());

  process.on('message', (message) => {
    if (typeof message !== 'object' || message === null || !('id' in message) || !('type' in message)) return;
    const label = 'label' in message && typeof message.label === 'string' ? message.label : 'window';
    if (message.type === 'probe-reset') {
      void (async () => {
        await profiler?.start().catch(profileFailed);
        probe.reset();
        send({ id: message.id, reply: null });
      })();
    } else if (message.type === 'probe-report') {
      void (async () => {
        const report = probe.report();
        const profile = await profiler?.stop(label).catch(profileFailed);
        send({ id: message.id, reply: profile ? { ...report, profile } : report });
      })();
    }
  });

  try {
    started = await start();
    if (started.gauge) probe.watch(started.gauge);
    send({ type: 'ready', info: started.info });
  } catch (error) {
    send({
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    await shutdown();
  }
}
