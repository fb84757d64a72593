/** One measured load: autocannon plus what the server and this process spent meanwhile. */
import { fire, summarise } from './load.js';
import { startMachineWindow } from './machine.js';
import { createProbe } from './probe.js';

/** The load generator's own probe: shows when autocannon, not the server, is the limit. */
const benchProbe = createProbe();

/**
 * @typedef {object} ProbedServer
 * @property {(label?: string) => Promise<void>} probeReset
 * @property {(label?: string) => Promise<import('./probe.js').ProbeReport>} probeReport
 */

/**
 * @param {string} label
 * @param {import('autocannon').Options} options
 * @param {ProbedServer} server
 * @returns {Promise<import('./report.js').LoadRow>}
 */
export function measure(label, options, server) {
  return measureRun(label, async () => summarise(await fire(options)), server);
}

/**
 * The same for a load that summarises itself (the login load counts its logins itself).
 *
 * @param {string} label
 * @param {() => Promise<import('./load.js').LoadSummary>} run
 * @param {ProbedServer} server
 * @returns {Promise<import('./report.js').LoadRow>}
 */
export async function measureRun(label, run, server) {
  await server.probeReset(label);
  benchProbe.reset();
  const machine = startMachineWindow();
  const load = await run();
  const bench = benchProbe.report();
  const machinePercent = machine.end();
  const serverReport = await server.probeReport(label);
  return {
    label,
    load,
    server: serverReport,
    bench,
    otherCpuPercent: Math.max(0, machinePercent - serverReport.cpuPercent - bench.cpuPercent),
  };
}
