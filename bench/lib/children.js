/**
 * Parent side of the server children. Servers run in their own process so that the server and
 * autocannon do not share one event loop (on 2 cores that is the fair setup); every child is
 * stopped when its scenario ends, and killed if this process exits any other way.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */
/** @typedef {import('./probe.js').ProbeReport} ProbeReport */

/**
 * @template T
 * @typedef {object} BenchChild
 * @property {T} info                        what the child reported once it was ready
 * @property {(label?: string) => Promise<void>} probeReset  starts a measurement window in the child
 * @property {(label?: string) => Promise<ProbeReport>} probeReport  ends it: the child's CPU and
 *   loop delay (and its CPU profile, named after `label`, with BENCH_PROFILE)
 * @property {() => Promise<void>} stop      SIGTERM, then SIGKILL if it does not exit in time
 */

/** @type {Set<ChildProcess>} */
const live = new Set();

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

// Last resort: whatever ends this process, no server outlives it. Only sync work runs here.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Stops every child still running (for SIGINT/SIGTERM in the entry point). */
export async function stopAllChildren() {
  await Promise.all([...live].map((child) => stopProcess(child)));
}

/**
 * Forks `node <script> ...args` and waits for its `ready` message.
 *
 * @template T
 * @param {URL} script
 * @param {string[]} args
 * @returns {Promise<BenchChild<T>>}
 */
export function startChild(script, args) {
  const child = fork(fileURLToPath(script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let nextId = 0;

  /**
   * @param {string} type
   * @param {string} [label]
   * @returns {Promise<unknown>}
   */
  function ask(type, label) {
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      /** @param {unknown} message */
      const onMessage = (message) => {
        if (!isObject(message) || message.id !== id) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message.reply);
      };
      const onExit = () => {
        child.off('message', onMessage);
        reject(new Error(`${script.pathname} exited before answering ${type}`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ id, type, label });
    });
  }

  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${script.pathname} was not ready in time`)),
      READY_TIMEOUT_MS,
    );
    /** @param {Error} error */
    function fail(error) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      void stopProcess(child).finally(() => reject(error));
    }
    /** @param {unknown} message */
    function onMessage(message) {
      if (!isObject(message)) return;
      if (message.type === 'failed') fail(new Error(`${script.pathname}: ${String(message.message)}`));
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve({
        info: /** @type {T} */ (message.info),
        probeReset: async (label) => {
          await ask('probe-reset', label);
        },
        probeReport: async (label) => /** @type {ProbeReport} */ (await ask('probe-report', label)),
        stop: () => stopProcess(child),
      });
    }
    /** @param {number | null} code */
    function onExit(code) {
      fail(new Error(`${script.pathname} exited with ${code} before it was ready`));
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * @param {ChildProcess} child
 * @returns {Promise<void>}
 */
function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
  return typeof value === 'object' && value !== null;
}
