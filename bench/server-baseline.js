/**
 * Child process: the baseline. A bare Fastify app (no logger, no plugins) whose one handler
 * returns a constant JSON body: the very whoami body Portcullis returned, serialised once at
 * start. That is the cheapest way Fastify answers with this body (whoami also sends a
 * pre-serialised body from cache), so the ratio counts every per-request cost Portcullis adds:
 * token hashing, cache lookups, its logger, plugins and hooks.
 *
 * Usage (from the bench only): node bench/server-baseline.js '<json body>'
 */
import Fastify from 'fastify';
import { runChild } from './lib/child-side.js';

/**
 * @typedef {object} BaselineInfo
 * @property {string} url
 * @property {number} bytes
 */

/** @returns {Promise<import('./lib/child-side.js').Started<BaselineInfo>>} */
async function start() {
  const text = process.argv[2];
  if (text === undefined) throw new Error('pass the JSON body as the first argument');
  // Parsed and serialised again so a malformed argument fails here, not as a 200 with junk.
  const body = JSON.stringify(JSON.parse(text));
  const app = Fastify({ logger: false });
  // Same path as whoami, so routing costs the same on both sides.
  app.get('/sessions/whoami', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(body),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { info: { url, bytes: Buffer.byteLength(body) }, close: () => app.close() };
}

await runChild(start);
