/**
 * `npm run bench [-- <scenario> ...]`: runs the named scenarios (all by default) in order
 * against the built server in dist/, and prints one table per scenario.
 *
 * Exit status: 0 whatever the figures (benchmarks report, they do not gate); 1 when a scenario
 * could not run at all; 2 for a usage error. Env: BENCH_DURATION (s, default 10),
 * BENCH_CONNECTIONS (default 50), BENCH_LOGIN_CONNECTIONS (default: hash limiter + 2),
 * BENCH_PROFILE (a directory: CPU profiles of the server's measured windows), DATABASE_URL,
 * REDIS_URL. See bench/README.md.
 */
import { availableParallelism, cpus } from 'node:os';
import { stopAllChildren } from './lib/children.js';
import { checkDist } from './lib/dist-check.js';
import { readOptions } from './lib/options.js';

/** Imported lazily: they load dist/, which may not exist yet. */
const scenarios = {
  whoami: async () => (await import('./scenarios/whoami.js')).runWhoami,
  login: async () => (await import('./scenarios/login.js')).runLogin,
  'whoami-under-hashing': async () =>
    (await import('./scenarios/whoami-under-hashing.js')).runWhoamiUnderHashing,
  decision: async () => (await import('./scenarios/decision.js')).runDecision,
  proxy: async () => (await import('./scenarios/proxy.js')).runProxy,
  'id-token': async () => (await import('./scenarios/id-token.js')).runIdToken,
};

/** @param {string} name @returns {name is keyof typeof scenarios} */
function isScenario(name) {
  return Object.hasOwn(scenarios, name);
}

async function main() {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !isScenario(name));
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`);
    return 2;
  }
  let options;
  try {
    options = readOptions(process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const dist = checkDist();
  if (!dist.ok) {
    console.error(dist.message);
    return 2;
  }
  if (dist.warning) console.warn(`warning: ${dist.warning}`);
  console.log(
    `portcullis bench ${new Date().toISOString()}: Node ${process.versions.node}, ` +
      `${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'})`,
  );

  let status = 0;
  for (const name of names.length > 0
    ? names.filter(isScenario)
    : Object.keys(scenarios).filter(isScenario)) {
    try {
      const run = await scenarios[name]();
      await run(options);
    } catch (error) {
      console.error(`\n== ${name} == could not run:`, error);
      status = 1;
    }
  }
  return status;
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    void stopAllChildren().finally(() => process.exit(130));
  });
}

const status = await main();
await stopAllChildren();
process.exit(status);
