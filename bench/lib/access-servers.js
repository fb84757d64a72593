/** Typed starters for the access-proxy scenarios' children (Portcullis, upstream, baseline). */
import { startChild } from './children.js';

/** @typedef {import('./access-proxy-child.js').AccessProxySpec} AccessProxySpec */
/** @typedef {import('./access-proxy-child.js').AccessProxyInfo} AccessProxyInfo */
/** @typedef {import('./upstream-child.js').UpstreamInfo} UpstreamInfo */
/** @typedef {import('./decision-baseline-child.js').DecisionBaselineInfo} DecisionBaselineInfo */

/**
 * @param {AccessProxySpec} spec
 * @returns {Promise<import('./children.js').BenchChild<AccessProxyInfo>>}
 */
export function startAccessProxyServer(spec) {
  return startChild(new URL('./access-proxy-child.js', import.meta.url), [JSON.stringify(spec)]);
}

/**
 * @param {number} bytes  size of the constant body
 * @returns {Promise<import('./children.js').BenchChild<UpstreamInfo>>}
 */
export function startUpstreamServer(bytes) {
  return startChild(new URL('./upstream-child.js', import.meta.url), [String(bytes)]);
}

/**
 * @param {{ status: number, headers: Record<string, string> }} answer  what the baseline answers
 * @returns {Promise<import('./children.js').BenchChild<DecisionBaselineInfo>>}
 */
export function startDecisionBaseline(answer) {
  return startChild(new URL('./decision-baseline-child.js', import.meta.url), [JSON.stringify(answer)]);
}
