/** Typed starters for the two server children. */
import { startChild } from './children.js';

/** @typedef {import('../server-portcullis.js').PortcullisInfo} PortcullisInfo */
/** @typedef {import('../server-baseline.js').BaselineInfo} BaselineInfo */

/** @returns {Promise<import('./children.js').BenchChild<PortcullisInfo>>} */
export function startPortcullisServer() {
  return startChild(new URL('../server-portcullis.js', import.meta.url), []);
}

/**
 * @param {unknown} body  the constant JSON body the baseline answers with
 * @returns {Promise<import('./children.js').BenchChild<BaselineInfo>>}
 */
export function startBaselineServer(body) {
  return startChild(new URL('../server-baseline.js', import.meta.url), [JSON.stringify(body)]);
}
