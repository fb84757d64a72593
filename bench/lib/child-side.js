/**
 * Child side of a server child: report `ready` with what the parent needs, answer probe
 * requests, and close cleanly on SIGTERM/SIGINT or as soon as the parent goes away, so that
 * a crashed or interrupted bench never leaves a server listening.
 */
import { createProbe } from './probe.js';

/**
 * @template T
 * @typedef {object} Started
 * @property {T} info
 * @property {() => Promise<void>} close
 */

/**
 * @template T
 * @param {() => Promise<Started<T>>} start
 */
export async function runChild(start) {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('run this file through bench/run.js (it needs an IPC channel)');
  const probe = createProbe();
  /** @type {Started<T> | undefined} */
  let started;
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
    if (message.type === 'probe-reset') {
      probe.reset();
      send({ id: message.id, reply: null });
    } else if (message.type === 'probe-report') {
      send({ id: message.id, reply: probe.report() });
    }
  });

  try {
    started = await start();
    send({ type: 'ready', info: started.info });
  } catch (error) {
    send({
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    await shutdown();
  }
}
