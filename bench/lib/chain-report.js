/**
 * The `proxy` scenario's table: like report.js's load rows, with a CPU column for the proxy and
 * one for the upstream behind it (loop p99 only where the proxy is a Node process).
 */
import { ms, percent, printTable, warnIfDisturbed } from './report.js';

/** @param {import('./measure-processes.js').ChainRow[]} rows */
export function printChainLoads(rows) {
  const header = [
    '',
    'req/s',
    'p50',
    'p99',
    'errors',
    'non-2xx',
    'proxy CPU',
    'loop p99',
    'upstream CPU',
    'bench CPU',
    'other CPU',
  ];
  const body = rows.map(({ label, load, processes, benchCpuPercent, otherCpuPercent }) => {
    const proxy = processes.proxy;
    const upstream = processes.upstream;
    return [
      label,
      Math.round(load.rps).toLocaleString('en-US'),
      `${load.p50} ms`,
      `${load.p99} ms`,
      String(load.errors),
      String(load.non2xx),
      proxy ? percent(proxy.cpuPercent) : '',
      proxy?.loopP99Ms === undefined ? '' : ms(proxy.loopP99Ms),
      upstream ? percent(upstream.cpuPercent) : '',
      percent(benchCpuPercent),
      percent(otherCpuPercent),
    ];
  });
  printTable([header, ...body]);
  warnIfDisturbed('these runs', Math.max(0, ...rows.map((row) => row.otherCpuPercent)));
  for (const { label, processes } of rows) {
    const profile = processes.proxy?.profile;
    if (profile) console.log(`   CPU profile of "${label}" (proxy event loop): ${profile}`);
  }
}
