/**
 * CPU the whole machine spent over a window, from the kernel's per-core counters. On a shared
 * 2-core box a test suite running next to the bench halves the figures; subtracting what the
 * server and the bench spent shows how much went elsewhere, so a disturbed run says so.
 */
import { cpus } from 'node:os';

/**
 * @typedef {object} MachineWindow
 * @property {() => number} end  busy CPU since the start, in percent of one core (200% = 2 cores)
 */

/** @returns {MachineWindow} */
export function startMachineWindow() {
  const start = snapshot();
  return {
    end() {
      const now = snapshot();
      const total = now.total - start.total;
      const cores = cpus().length;
      return total > 0 ? (100 * cores * (now.busy - start.busy)) / total : 0;
    },
  };
}

function snapshot() {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    busy += all - times.idle;
    total += all;
  }
  return { busy, total };
}
