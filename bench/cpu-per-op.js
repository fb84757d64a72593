/**
 * `node bench/cpu-per-op.js [--against <checkout>] [--pairs N] [--logins N] [--whoamis N]`:
 * the event loop's CPU per native login and per whoami (from cache), read from the server's main
 * thread in /proc (Linux), for this checkout's build and, with `--against`, another checkout's
 * build (its own `npm install && npm run build` done), measured alternately in fresh processes.
 *
 * Why beside the load scenarios: their ratios depend on how much CPU the server was given next to
 * the load generator and the hash workers, and on this 2-core VM they spread by more than a small
 * change costs (the same commit read whoami 0.62 and 0.71). CPU per operation of the main thread
 * spreads less, and alternating fresh processes spreads each build's luck (JIT, placement) over
 * both. The figures are absolute, of this machine: compare builds, not machines.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createAccounts } from './lib/accounts.js';
import { READY } from './lib/cpu-per-op-ready.js';
import { TICKS_PER_SEC, threadTicks } from './lib/process-cpu.js';

const USAGE = 'usage: node bench/cpu-per-op.js [--against <checkout>] [--pairs N] [--logins N] [--whoamis N]';
const here = fileURLToPath(new URL('../', import.meta.url));

/** Login and whoami requests in flight: the hash pool's capacity on 2 cores, and a few more. */
const LOGIN_CONCURRENCY = 4;
const WHOAMI_CONCURRENCY = 8;
/** Unmeasured requests first, so the JIT has compiled the paths measured. */
const WARM_LOGINS = 200;
const WARM_WHOAMIS = 3000;

const options = parseArgs(process.argv.slice(2));
const builds = [{ name: 'this checkout', dist: resolve(here, 'dist') }];
if (options.against !== undefined)
  builds.push({ name: options.against, dist: resolve(options.against, 'dist') });

/** @type {Map<string, { login: number[], whoami: number[] }>} */
const results = new Map(builds.map((b) => [b.name, { login: [], whoami: [] }]));
for (let pair = 1; pair <= options.pairs; pair++) {
  // Alternate which build goes first, so neither always runs on a machine the other warmed.
  const order = pair % 2 === 1 ? builds : [...builds].reverse();
  for (const build of order) {
    const row = await measureOnce(build.dist, options);
    const entry = /** @type {{ login: number[], whoami: number[] }} */ (results.get(build.name));
    entry.login.push(row.loginUs);
    entry.whoami.push(row.whoamiUs);
    console.log(
      `pair ${pair}  ${build.name}: login ${row.loginUs.toFixed(0)} µs, whoami ${row.whoamiUs.toFixed(1)} µs`,
    );
  }
}
console.log('\nevent-loop CPU per operation (mean of the runs; min-max)');
for (const [name, entry] of results) {
  console.log(
    `${name.padEnd(20)} login ${summary(entry.login, 0)} µs   whoami ${summary(entry.whoami, 1)} µs`,
  );
}

/**
 * One fresh server: accounts created, logins warmed then measured, whoami warmed then measured.
 *
 * @param {string} dist
 * @param {{ logins: number, whoamis: number }} counts
 */
async function measureOnce(dist, counts) {
  const child = spawn(process.execPath, [resolve(here, 'bench/lib/cpu-per-op-child.js'), dist], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((done) => child.once('exit', done));
  try {
    const line = await new Promise((resolveLine, reject) => {
      const lines = createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) });
      // The server may log to stdout before it is ready: only the marked line carries the URLs.
      lines.on('line', (text) => {
        if (text.startsWith(READY)) resolveLine(text.slice(READY.length));
      });
      child.once('exit', (code) => reject(new Error(`the server child exited (${code}) before it started`)));
    });
    const { publicUrl, adminUrl } = /** @type {{ publicUrl: string, adminUrl: string }} */ (JSON.parse(line));
    const pid = /** @type {number} */ (child.pid);
    const accounts = await createAccounts(adminUrl, 32);
    let next = 0;
    let token = '';
    const login = async () => {
      const account = /** @type {import('./lib/accounts.js').Account} */ (accounts[next++ % accounts.length]);
      token = await signIn(publicUrl, account);
    };
    const whoami = async () => {
      const response = await fetch(`${publicUrl}/sessions/whoami`, { headers: { 'x-session-token': token } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`whoami answered ${response.status}`);
    };
    await repeat(login, WARM_LOGINS, LOGIN_CONCURRENCY);
    const loginUs = await cpuPerCall(
      pid,
      () => repeat(login, counts.logins, LOGIN_CONCURRENCY),
      counts.logins,
    );
    await repeat(whoami, WARM_WHOAMIS, WHOAMI_CONCURRENCY);
    const whoamiUs = await cpuPerCall(
      pid,
      () => repeat(whoami, counts.whoamis, WHOAMI_CONCURRENCY),
      counts.whoamis,
    );
    return { loginUs, whoamiUs };
  } finally {
    // Listened for since the start, so a child that failed to start is not awaited forever.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  }
}

/**
 * @param {string} publicUrl
 * @param {import('./lib/accounts.js').Account} account
 * @returns {Promise<string>} the session token
 */
async function signIn(publicUrl, account) {
  const init = await fetch(`${publicUrl}/self-service/login/api`, {
    headers: { accept: 'application/json' },
  });
  const flow = /** @type {{ id: string }} */ (await init.json());
  const response = await fetch(`${publicUrl}/self-service/login?flow=${flow.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ method: 'password', identifier: account.identifier, password: account.password }),
  });
  const body = /** @type {{ session_token?: string }} */ (await response.json());
  if (response.status !== 200 || body.session_token === undefined) {
    throw new Error(`login answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.session_token;
}

/**
 * @param {number} pid
 * @param {() => Promise<void>} work
 * @param {number} calls
 * @returns {Promise<number>} µs of the main thread's CPU per call
 */
async function cpuPerCall(pid, work, calls) {
  const before = threadTicks(pid);
  await work();
  const after = threadTicks(pid);
  if (before === undefined || after === undefined) throw new Error('no /proc here: this tool needs Linux');
  return ((after - before) * 1e6) / TICKS_PER_SEC / calls;
}

/**
 * @param {() => Promise<void>} call
 * @param {number} count
 * @param {number} concurrency
 */
async function repeat(call, count, concurrency) {
  let left = count;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await call();
    }),
  );
}

/**
 * @param {number[]} values
 * @param {number} digits
 */
function summary(values, digits) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `${mean.toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
}

/**
 * @param {string[]} args
 * @returns {{ against: string | undefined, pairs: number, logins: number, whoamis: number }}
 */
function parseArgs(args) {
  /** @type {{ against: string | undefined, pairs: number, logins: number, whoamis: number }} */
  const parsed = { against: undefined, pairs: 3, logins: 1500, whoamis: 30000 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) usage();
    if (flag === '--against') parsed.against = value;
    else if (flag === '--pairs' || flag === '--logins' || flag === '--whoamis') {
      const count = Number(value);
      if (!Number.isInteger(count) || count < 1) usage();
      parsed[/** @type {'pairs' | 'logins' | 'whoamis'} */ (flag.slice(2))] = count;
    } else usage();
  }
  return parsed;
}

/** @returns {never} */
function usage() {
  console.error(USAGE);
  process.exit(2);
}
