/**
 * Run-wide settings from the environment, so that a smoke run can be short:
 * `BENCH_DURATION=2 BENCH_CONNECTIONS=10 npm run bench`.
 */

/**
 * @typedef {object} BenchOptions
 * @property {number} durationSec  length of every measured run, in seconds
 * @property {number} connections  concurrent connections of the measuring autocannon
 * @property {number | undefined} loginConnections  connections of the login loads; undefined:
 *   the server's hash limiter size plus two (see lib/login-load.js)
 */

/**
 * @param {Record<string, string | undefined>} env
 * @returns {BenchOptions}
 */
export function readOptions(env) {
  return {
    durationSec: positiveInteger(env.BENCH_DURATION, 10, 'BENCH_DURATION'),
    connections: positiveInteger(env.BENCH_CONNECTIONS, 50, 'BENCH_CONNECTIONS'),
    loginConnections: env.BENCH_LOGIN_CONNECTIONS
      ? positiveInteger(env.BENCH_LOGIN_CONNECTIONS, 0, 'BENCH_LOGIN_CONNECTIONS')
      : undefined,
  };
}

/**
 * @param {string | undefined} text
 * @param {number} fallback
 * @param {string} name
 * @returns {number}
 */
function positiveInteger(text, fallback, name) {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  }
  return value;
}
