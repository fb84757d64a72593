/**
 * The server's CPU (every thread) per answered request, in µs: a figure a busy machine moves less
 * than req/s, since it does not depend on how much CPU the server was given.
 *
 * @param {{ load: import('./load.js').LoadSummary, server?: { cpuPercent: number } }} row
 * @returns {number}
 */
export function cpuPerRequestUs(row) {
  const cpu = row.server?.cpuPercent ?? 0;
  return row.load.rps > 0 ? Math.round((cpu / 100) * (1e6 / row.load.rps)) : 0;
}
