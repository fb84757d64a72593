/** Compact plain-text tables: one per scenario, with the load rows and then the checks. */

/** @typedef {import('./load.js').LoadSummary} LoadSummary */

/** Above this much CPU spent elsewhere (percent of one core), a run is flagged as disturbed. */
const DISTURBED_PERCENT = 15;
/** @typedef {import('./probe.js').ProbeReport} ProbeReport */

/**
 * @typedef {object} LoadRow
 * @property {string} label
 * @property {LoadSummary} load
 * @property {ProbeReport} [server]  the server child over the same window
 * @property {ProbeReport} [bench]   this (load generator) process over the same window
 * @property {number} [otherCpuPercent]  every other process on the machine (PostgreSQL and
 *   Redis when used, and anything else running), in percent of one core
 */

/**
 * @typedef {object} Check
 * @property {string} label
 * @property {string} measured
 * @property {string} target
 * @property {boolean | undefined} pass  undefined: informational, no target
 */

/**
 * @param {string} title
 * @param {string[]} notes
 */
export function printHeading(title, notes) {
  console.log(`\n== ${title} ==`);
  for (const note of notes) console.log(`   ${note}`);
}

/**
 * One line per load. The `hash slots` column (how full the server's hash limiter was, on
 * average; the mean queue behind it in brackets) shows only when some hashing went on.
 *
 * @param {LoadRow[]} rows
 */
export function printLoads(rows) {
  const withSlots = rows.some((row) => (row.server?.hashSlotsBusy ?? 0) > 0);
  const header = [
    '',
    'req/s',
    'p50',
    'p99',
    'errors',
    'non-2xx',
    'server CPU',
    'loop p99',
    ...(withSlots ? ['hash slots'] : []),
    'bench CPU',
    'other CPU',
  ];
  const body = rows.map(({ label, load, server, bench, otherCpuPercent }) => [
    label,
    Math.round(load.rps).toLocaleString('en-US'),
    `${load.p50} ms`,
    `${load.p99} ms`,
    String(load.errors),
    String(load.non2xx),
    server ? percent(server.cpuPercent) : '',
    server ? ms(server.loopP99Ms) : '',
    ...(withSlots ? [hashSlots(server)] : []),
    bench ? percent(bench.cpuPercent) : '',
    otherCpuPercent === undefined ? '' : percent(otherCpuPercent),
  ]);
  printTable([header, ...body]);
  warnIfDisturbed('these runs', Math.max(0, ...rows.map((row) => row.otherCpuPercent ?? 0)));
  for (const { label, server } of rows) {
    if (server?.profile) console.log(`   CPU profile of "${label}" (server event loop): ${server.profile}`);
  }
}

/**
 * @param {ProbeReport | undefined} server
 * @returns {string}
 */
function hashSlots(server) {
  if (server?.hashSlotsBusy === undefined) return '';
  return `${percent(100 * server.hashSlotsBusy)} (+${(server.hashQueue ?? 0).toFixed(1)})`;
}

/**
 * @param {string} what
 * @param {number} otherCpuPercent  CPU other processes spent meanwhile, in percent of one core
 */
export function warnIfDisturbed(what, otherCpuPercent) {
  if (otherCpuPercent <= DISTURBED_PERCENT) return;
  console.log(
    `   warning: other processes used ${percent(otherCpuPercent)} of a core during ${what}; ` +
      'the figures are disturbed (run again on a quiet machine, or expect it with DATABASE_URL/REDIS_URL)',
  );
}

/** @param {Check[]} checks */
export function printChecks(checks) {
  const body = checks.map((c) => [c.label, c.measured, c.target, verdict(c.pass)]);
  printTable([['check', 'measured', 'target', ''], ...body]);
}

/**
 * @param {boolean | undefined} pass
 * @returns {string}
 */
function verdict(pass) {
  if (pass === undefined) return '';
  return pass ? 'PASS' : 'MISS';
}

/**
 * Rounded down, so that a shown ratio meets a two-decimal target exactly when the ratio does
 * (0.846 shows as 0.84 against >= 0.85, not as a confusing 0.85 MISS).
 *
 * @param {number} value
 */
export function ratio(value) {
  return (Math.floor(value * 100) / 100).toFixed(2);
}

/** @param {number} value */
export function percent(value) {
  return `${Math.round(value)}%`;
}

/** @param {number} value */
export function ms(value) {
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

/**
 * First column left-aligned, the others right-aligned, two spaces apart.
 *
 * @param {string[][]} rows
 */
export function printTable(rows) {
  const widths = /** @type {number[]} */ ([]);
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  for (const row of rows) {
    const cells = row.map((cell, i) =>
      i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
    );
    console.log(`   ${cells.join('  ').trimEnd()}`);
  }
}
