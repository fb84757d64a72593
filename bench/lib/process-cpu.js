/**
 * CPU of processes the bench did not fork through `children.js` (nginx's worker), from
 * `/proc/<pid>/stat`, with the same window interface as a server child's probe, so a scenario
 * can measure both alike. Linux only; elsewhere the figure reads 0.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime (100 nearly everywhere; asked once). */
const TICKS_PER_SEC = clockTicks();

/**
 * @typedef {object} CpuWindow
 * @property {(label?: string) => Promise<void>} probeReset
 * @property {(label?: string) => Promise<{ cpuPercent: number }>} probeReport
 *   CPU of every watched process since the reset, in percent of one core
 */

/**
 * @param {() => number[]} pids  the processes to count, asked at every reset and report
 * @returns {CpuWindow}
 */
export function pidsCpuWindow(pids) {
  let startTicks = 0;
  let startWall = process.hrtime.bigint();
  return {
    async probeReset() {
      startTicks = sumTicks(pids());
      startWall = process.hrtime.bigint();
    },
    async probeReport() {
      const wallSec = Number(process.hrtime.bigint() - startWall) / 1e9;
      const ticks = sumTicks(pids()) - startTicks;
      return { cpuPercent: wallSec > 0 ? (100 * ticks) / TICKS_PER_SEC / wallSec : 0 };
    },
  };
}

/**
 * The direct children of `pid` (nginx's workers of its master).
 *
 * @param {number} pid
 * @returns {number[]}
 */
export function childPids(pid) {
  /** @type {number[]} */
  const found = [];
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields !== undefined && Number(fields[1]) === pid) found.push(Number(entry));
  }
  return found;
}

/**
 * CPU ticks (user + system) of one thread: `tid` = `pid` is the process's main thread, the one
 * that runs a Node server's event loop (hash workers are other threads).
 *
 * @param {number} pid
 * @param {number} [tid]
 * @returns {number | undefined}  undefined when the thread is gone (or off Linux)
 */
export function threadTicks(pid, tid = pid) {
  const fields = statFields(pid, `task/${tid}/stat`);
  return fields === undefined ? undefined : Number(fields[11]) + Number(fields[12]);
}

export { TICKS_PER_SEC };

/** @param {number[]} pids */
function sumTicks(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 here: the list starts at field 3.
    if (fields !== undefined) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks;
}

/**
 * `/proc/<pid>/stat` from field 3 (state) on: the command name (field 2) may hold spaces, so the
 * split starts after its closing parenthesis.
 *
 * @param {number} pid
 * @param {string} [file]  `stat`, or `task/<tid>/stat` for one thread
 * @returns {string[] | undefined}  undefined when the process is gone (or off Linux)
 */
function statFields(pid, file = 'stat') {
  try {
    const text = readFileSync(`/proc/${pid}/${file}`, 'utf8');
    return text
      .slice(text.lastIndexOf(')') + 2)
      .trim()
      .split(' ');
  } catch {
    return undefined;
  }
}

function clockTicks() {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}
