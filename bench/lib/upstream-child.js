/**
 * Child process: the upstream of the `proxy` scenario. A bare `node:http` server that answers
 * every request with the same small body, in a process of its own, so that the upstream hit
 * directly, nginx and Portcullis all put the same upstream behind them.
 *
 * Its keep-alive timeout is longer than any pause between the scenario's runs, so that neither
 * proxy ever finds a pooled upstream connection closed under it (nginx would retry, undici would
 * reconnect: noise, not what is measured).
 *
 * Usage (from the bench only): node bench/lib/upstream-child.js <body bytes>
 */
import { createServer } from 'node:http';
import { runChild } from './child-side.js';

/**
 * @typedef {object} UpstreamInfo
 * @property {string} url    `http://127.0.0.1:<port>`
 * @property {number} bytes  length of the body every answer carries
 */

const KEEP_ALIVE_MS = 120_000;

/** @returns {Promise<import('./child-side.js').Started<UpstreamInfo>>} */
async function start() {
  const bytes = Number(process.argv[2]);
  if (!Number.isInteger(bytes) || bytes < 2) throw new Error('pass the body size in bytes (>= 2)');
  // A JSON string of the given length, built once: the cheapest answer node:http can give.
  const body = Buffer.from(`"${'x'.repeat(bytes - 2)}"`);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(body.length),
  };
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_MS }, (req, res) => {
    // Request bodies (none in this bench) are drained so the connection stays usable.
    req.resume();
    res.writeHead(200, headers);
    res.end(body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the upstream has no port');
  return {
    info: { url: `http://127.0.0.1:${address.port}`, bytes: body.length },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      }),
  };
}

await runChild(start);
