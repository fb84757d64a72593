/** autocannon as a promise, and the few figures the reports use. */
import autocannon from 'autocannon';

/**
 * @typedef {object} LoadSummary
 * @property {number} rps      mean requests per second (autocannon's per-second samples)
 * @property {number} okPerSec 2xx responses per second over the whole run
 * @property {number} p50      latency, ms (autocannon records 2xx latencies only, 1 ms resolution)
 * @property {number} p99
 * @property {number} errors   connection errors and timeouts
 * @property {number} non2xx
 */

/**
 * Runs one load and resolves when it ends. No progress output: the entry prints tables.
 *
 * @param {import('autocannon').Options} options
 * @returns {Promise<import('autocannon').Result>}
 */
export function fire(options) {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => {
      if (error) reject(error);
      else resolve(result);
    });
  });
}

/**
 * @param {import('autocannon').Result} result
 * @returns {LoadSummary}
 */
export function summarise(result) {
  return {
    rps: result.requests.average,
    okPerSec: result.duration > 0 ? result['2xx'] / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

/**
 * Runs `options` for `seconds` and throws the result away: warms the JIT of both the server
 * and autocannon so that the measured run does not start cold.
 *
 * @param {import('autocannon').Options} options
 * @param {number} seconds
 */
export async function warmUp(options, seconds) {
  await fire({ ...options, duration: seconds });
}

/**
 * Whether every request succeeded: a rate or a p99 over failed requests means nothing
 * (autocannon times 2xx responses only).
 *
 * @param {LoadSummary} load
 */
export function isClean(load) {
  return load.errors === 0 && load.non2xx === 0;
}

/** @param {number} millis */
export function sleep(millis) {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
