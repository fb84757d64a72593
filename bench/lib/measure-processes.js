/**
 * One measured load through a chain of processes (a proxy and the upstream behind it): the CPU
 * of each over the same window, so that what the upstream spends is not counted as disturbance
 * (measure.js knows one server only, and would report the upstream as "other CPU").
 */
import { fire, summarise } from './load.js';
import { startMachineWindow } from './machine.js';
import { createProbe } from './probe.js';

/** The load generator's own probe: shows when autocannon, not the chain, is the limit. */
const benchProbe = createProbe();

/**
 * @typedef {object} WatchedProcess
 * @property {(label?: string) => Promise<void>} probeReset
 * @property {(label?: string) => Promise<{ cpuPercent: number, loopP99Ms?: number, profile?: string }>} probeReport
 */

/**
 * @typedef {object} ChainRow
 * @property {string} label
 * @property {import('./load.js').LoadSummary} load
 * @property {Record<string, { cpuPercent: number, loopP99Ms?: number, profile?: string }>} processes
 * @property {number} benchCpuPercent
 * @property {number} otherCpuPercent  every process not watched here and not the bench
 */

/**
 * @param {string} label
 * @param {import('autocannon').Options} options
 * @param {Record<string, WatchedProcess>} watched  by role (`proxy`, `upstream`)
 * @returns {Promise<ChainRow>}
 */
export async function measureChain(label, options, watched) {
  const entries = Object.entries(watched);
  await Promise.all(entries.map(([, process]) => process.probeReset(label)));
  benchProbe.reset();
  const machine = startMachineWindow();
  const load = summarise(await fire(options));
  const bench = benchProbe.report();
  const machinePercent = machine.end();
  const reports = await Promise.all(entries.map(([, process]) => process.probeReport(label)));
  /** @type {ChainRow['processes']} */
  const processes = {};
  let watchedCpu = 0;
  entries.forEach(([role], i) => {
    const report = reports[i];
    if (report === undefined) return;
    processes[role] = report;
    watchedCpu += report.cpuPercent;
  });
  return {
    label,
    load,
    processes,
    benchCpuPercent: bench.cpuPercent,
    otherCpuPercent: Math.max(0, machinePercent - watchedCpu - bench.cpuPercent),
  };
}
