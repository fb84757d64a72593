/** One measured load: autocannon plus what the server and this process spent meanwhile. */
import { fire, summarise } from './load.js';
import { startMachineWindow } from './machine.js';
import { createProbe } from './probe.js';

/** The load generator's own probe: shows when autocannon, not the server, is the limit. */
const benchProbe = createProbe();

/**
 * @param {string} label
 * @param {import('autocannon').Options} options
 * @param {{ probeReset(): Promise<void>, probeReport(): Promise<import('./probe.js').ProbeReport> }} server
 * @returns {Promise<import('./report.js').LoadRow>}
 */
export async function measure(label, options, server) {
  await server.probeReset();
  benchProbe.reset();
  const machine = startMachineWindow();
  const result = await fire(options);
  const bench = benchProbe.report();
  const machinePercent = machine.end();
  const serverReport = await server.probeReport();
  return {
    label,
    load: summarise(result),
    server: serverReport,
    bench,
    otherCpuPercent: Math.max(0, machinePercent - serverReport.cpuPercent - bench.cpuPercent),
  };
}
