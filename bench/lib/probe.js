import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * @typedef {object} ProbeReport
 * @property {number} cpuPercent  CPU time of the whole process (every thread, so argon2 on the
 *   libuv pool counts) over wall time since the last reset, in percent of one core
 * @property {number} loopP99Ms   99th percentile event-loop delay since the last reset
 * @property {number} loopMaxMs   worst event-loop delay since the last reset
 */

/**
 * Sampling period of the loop-delay timer. The histogram records whole intervals between timer
 * runs (an idle loop reads about 10 ms at 10 ms resolution), so the period is subtracted to
 * report the delay itself.
 */
const RESOLUTION_MS = 10;

/**
 * Measures what a process spent while a load ran: CPU, and how late its event loop was.
 * The loop delay is the direct evidence for "hashing never blocks the event loop"; the CPU
 * figures say which side (server or load generator) was the bottleneck.
 */
export function createProbe() {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let cpuStart = process.cpuUsage();
  let wallStart = process.hrtime.bigint();

  return {
    reset() {
      delay.reset();
      cpuStart = process.cpuUsage();
      wallStart = process.hrtime.bigint();
    },
    /** @returns {ProbeReport} */
    report() {
      const cpu = process.cpuUsage(cpuStart);
      const wallUs = Number(process.hrtime.bigint() - wallStart) / 1000;
      return {
        cpuPercent: wallUs > 0 ? (100 * (cpu.user + cpu.system)) / wallUs : 0,
        loopP99Ms: lateness(delay.percentile(99)),
        loopMaxMs: lateness(delay.max),
      };
    },
  };
}

/**
 * @param {number} intervalNs  one recorded interval between timer runs
 * @returns {number} how late the timer ran, in ms
 */
function lateness(intervalNs) {
  return Math.max(0, intervalNs / 1e6 - RESOLUTION_MS);
}
