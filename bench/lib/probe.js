import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * @typedef {object} ProbeReport
 * @property {number} cpuPercent  CPU time of the whole process (every thread, so argon2 on the
 *   hash pool's workers counts) over wall time since the last reset, in percent of one core
 * @property {number} loopP99Ms   99th percentile event-loop delay since the last reset
 * @property {number} loopMaxMs   worst event-loop delay since the last reset
 * @property {number} [hashSlotsBusy]  mean share of the hash limiter's slots taken (0..1), when
 *   the process has one to watch
 * @property {number} [hashQueue]      mean number of hashes waiting for a slot
 * @property {string} [profile]        where the CPU profile of the window was written, if any
 * @property {number} [loopCpuPercent]   CPU time of the main thread alone (the event loop: JS,
 *   the syscalls it makes) in percent of wall time; Linux only (schedstat)
 * @property {number} [loopWaitPercent]  time the main thread was ready to run but waited for a
 *   core, in percent of wall time; Linux only
 */

/**
 * @typedef {object} Gauge
 * @property {number} active   hashes running now
 * @property {number} waiting  hashes waiting for a slot
 * @property {number} limit
 */

/**
 * Sampling period of the loop-delay timer. The histogram records whole intervals between timer
 * runs (an idle loop reads about 10 ms at 10 ms resolution), so the period is subtracted to
 * report the delay itself.
 */
const RESOLUTION_MS = 10;
/** How often the hash limiter is looked at: often enough for 20 ms hashes, cheap on the loop. */
const GAUGE_PERIOD_MS = 5;

/**
 * Measures what a process spent while a load ran: CPU, and how late its event loop was.
 * The loop delay is the direct evidence for "hashing never blocks the event loop"; the CPU
 * figures say which side (server or load generator) was the bottleneck. With a `gauge`, also how
 * full the hash limiter was (once `watch` is given one): the evidence that a login load kept
 * hashing busy.
 */
export function createProbe() {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let cpuStart = process.cpuUsage();
  let wallStart = process.hrtime.bigint();
  let schedStart = mainThreadSched();
  let samples = 0;
  let busySum = 0;
  let queueSum = 0;

  return {
    /**
     * Samples `gauge` from now on (a process without a hash limiter never calls this, so it runs
     * no timer).
     *
     * @param {() => Gauge} gauge
     */
    watch(gauge) {
      setInterval(() => {
        const now = gauge();
        samples++;
        busySum += now.active / now.limit;
        queueSum += now.waiting;
      }, GAUGE_PERIOD_MS).unref();
    },
    reset() {
      delay.reset();
      cpuStart = process.cpuUsage();
      wallStart = process.hrtime.bigint();
      schedStart = mainThreadSched();
      samples = 0;
      busySum = 0;
      queueSum = 0;
    },
    /** @returns {ProbeReport} */
    report() {
      const cpu = process.cpuUsage(cpuStart);
      const wallUs = Number(process.hrtime.bigint() - wallStart) / 1000;
      const sched = mainThreadSched();
      return {
        cpuPercent: wallUs > 0 ? (100 * (cpu.user + cpu.system)) / wallUs : 0,
        loopP99Ms: lateness(delay.percentile(99)),
        loopMaxMs: lateness(delay.max),
        ...(samples > 0 ? { hashSlotsBusy: busySum / samples, hashQueue: queueSum / samples } : {}),
        ...(sched && schedStart && wallUs > 0
          ? {
              loopCpuPercent: (100 * (sched.runNs - schedStart.runNs)) / 1000 / wallUs,
              loopWaitPercent: (100 * (sched.waitNs - schedStart.waitNs)) / 1000 / wallUs,
            }
          : {}),
      };
    },
  };
}

/**
 * The main thread's scheduler counters (`/proc/<pid>/task/<pid>/schedstat`: ns on a CPU, ns
 * waiting in a run queue). The whole-process CPU counts argon2's worker threads too; this is
 * the event loop alone, and its wait for a core is what makes latency grow on a saturated box.
 *
 * @returns {{ runNs: number, waitNs: number } | undefined}  undefined off Linux
 */
function mainThreadSched() {
  try {
    const [run, wait] = readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return run === undefined || wait === undefined ? undefined : { runNs: run, waitNs: wait };
  } catch {
    return undefined;
  }
}

/**
 * @param {number} intervalNs  one recorded interval between timer runs
 * @returns {number} how late the timer ran, in ms
 */
function lateness(intervalNs) {
  return Math.max(0, intervalNs / 1e6 - RESOLUTION_MS);
}
