/**
 * autocannon with a live count of 2xx responses, to know how many succeeded inside a window
 * that is shorter than the whole run (the identity load starts before and ends after the
 * whoami load it competes with).
 */
import autocannon from 'autocannon';

/**
 * @param {import('autocannon').Options} options
 * @returns {{ done: Promise<import('autocannon').Result>, okSoFar: () => number }}
 */
export function fireCounting(options) {
  let ok = 0;
  /** @type {import('autocannon').Instance | undefined} */
  let instance;
  const done = new Promise((resolve, reject) => {
    instance = autocannon(options, (error, result) => {
      if (error) reject(error);
      else resolve(result);
    });
  });
  instance?.on('response', (_client, statusCode) => {
    if (statusCode >= 200 && statusCode < 300) ok++;
  });
  return { done, okSoFar: () => ok };
}
