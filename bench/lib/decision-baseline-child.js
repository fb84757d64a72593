/**
 * Child process: the `decision` scenario's baseline. A bare Fastify app (no logger, no plugins)
 * whose one handler, on the decision API's paths, answers every request with the very status and
 * headers a warm decision answered (the mutators' headers included), serialised once at start and
 * with the same empty body. That is the cheapest way Fastify gives that answer, so every
 * per-request cost of a decision (matching, the session check, the mutators) counts in the ratio.
 *
 * Usage (from the bench only): node bench/lib/decision-baseline-child.js '<answer json>'
 *   answer: { status: number, headers: Record<string, string> }
 */
import Fastify from 'fastify';
import { runChild } from './child-side.js';

/**
 * @typedef {object} DecisionBaselineInfo
 * @property {string} url
 */

/** @returns {Promise<import('./child-side.js').Started<DecisionBaselineInfo>>} */
async function start() {
  const text = process.argv[2];
  if (text === undefined) throw new Error('pass the answer (status and headers) as JSON');
  const answer = /** @type {{ status: number, headers: Record<string, string> }} */ (JSON.parse(text));
  if (!Number.isInteger(answer.status)) throw new Error('the answer has no status');
  const app = Fastify({ logger: false });
  // The decision API's own paths, so routing costs the same on both sides.
  for (const url of ['/decisions', '/decisions/*']) {
    app.get(url, async (_request, reply) => reply.code(answer.status).headers(answer.headers).send(''));
  }
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { info: { url }, close: () => app.close() };
}

await runChild(start);
