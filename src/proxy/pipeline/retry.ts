import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../../kernel/duration.js';
import {
  type OutboundHttp,
  OutboundHttpError,
  type OutboundRequest,
  type OutboundResponse,
} from '../../kernel/http-client.js';
import type { Prepared } from './handler.js';

/**
 * How a remote call is retried. `giveUpAfterMs` bounds the whole exchange, every attempt and
 * back-off included; `maxAttempts` bounds it even when the remote fails at once.
 */
export interface RetryPolicy {
  giveUpAfterMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

/** Oathkeeper's schema defaults for `retry` (`give_up_after: 1s`, `max_delay: 100ms`). */
const DEFAULT_GIVE_UP_AFTER = '1s';
const DEFAULT_MAX_DELAY = '100ms';
/** One first try and four retries, as retryablehttp's default RetryMax. */
const MAX_ATTEMPTS = 5;
/** The first back-off; it doubles up to `max_delay`. */
const FIRST_DELAY_MS = 50;

/** A single attempt, bounded by the outbound client's usual deadline (hydrator without `api.retry`). */
export const NO_RETRY: RetryPolicy = {
  giveUpAfterMs: 10_000,
  maxDelayMs: 0,
  maxAttempts: 1,
};

/**
 * `policy` cut to one attempt, still bounded by its `give_up_after`: for the introspection and
 * token endpoints, whose Oathkeeper clients do not retry at all. Introspection's go-retryablehttp
 * StandardClient has its Transport replaced by the plain (or pre-authorizing x/oauth2) one, and
 * the client credentials grant goes through x/oauth2's plain client: a network failure, a 5xx
 * and a 429 are all the outcome of the first and only request.
 */
export function singleAttempt(policy: RetryPolicy): RetryPolicy {
  return { ...policy, maxAttempts: 1 };
}

/** Reads Oathkeeper's `retry` object; absent or empty keys take the schema's defaults. */
export function prepareRetry(raw: unknown): Prepared<RetryPolicy> {
  const retry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const giveUpAfterMs = parseDuration(
    typeof retry.give_up_after === 'string' ? retry.give_up_after : DEFAULT_GIVE_UP_AFTER,
  );
  const maxDelayMs = parseDuration(typeof retry.max_delay === 'string' ? retry.max_delay : DEFAULT_MAX_DELAY);
  if (giveUpAfterMs === undefined || giveUpAfterMs === 0)
    return { ok: false, message: 'retry.give_up_after must be a positive duration' };
  if (maxDelayMs === undefined) return { ok: false, message: 'retry.max_delay must be a duration' };
  return {
    ok: true,
    config: { giveUpAfterMs, maxDelayMs, maxAttempts: MAX_ATTEMPTS },
  };
}

export type ExchangeResult =
  | { kind: 'response'; response: OutboundResponse; attempts: number }
  /** `transient`: the remote could not be reached or did not answer in time. */
  | { kind: 'failed'; reason: string; transient: boolean; attempts: number };

/** ` (after 3 attempts)` when the outcome came after retries, for error reasons. */
export function afterAttempts(result: ExchangeResult): string {
  return result.attempts > 1 ? ` (after ${result.attempts} attempts)` : '';
}

/**
 * Worth another attempt, as go-retryablehttp's DefaultRetryPolicy judges: the remote was
 * unreachable or silent, failed on its side (5xx, but not 501 Not Implemented), or asked to
 * slow down (429).
 */
function retriable(result: ExchangeResult): boolean {
  if (result.kind === 'failed') return result.transient;
  const { status } = result.response;
  return status === 429 || (status >= 500 && status !== 501);
}

/**
 * How long a 429 or 503 asks to wait (`Retry-After`: delta-seconds or an HTTP date), as
 * go-retryablehttp's DefaultBackoff honours it; undefined when it does not say.
 */
function retryAfterMs(result: ExchangeResult, now: number): number | undefined {
  if (result.kind !== 'response') return undefined;
  const { status, firstHeaders } = result.response;
  if (status !== 429 && status !== 503) return undefined;
  // The first value, as retryablehttp's parseRetryAfterHeader reads resp.Header["Retry-After"][0].
  const value = firstHeaders['retry-after']?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Sends `request`, retrying network failures, 5xx answers and 429s with doubling
 * back-off (at most `maxDelayMs`, or what `Retry-After` asks) until `giveUpAfterMs` has passed
 * or `maxAttempts` were made; the last outcome is returned. A wait that would end past the
 * deadline is not started. Never throws.
 */
export async function exchangeWithRetry(
  http: OutboundHttp,
  request: Omit<OutboundRequest, 'timeoutMs'>,
  policy: RetryPolicy,
): Promise<ExchangeResult> {
  const deadline = Date.now() + policy.giveUpAfterMs;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(http, request, Math.max(1, deadline - Date.now()), attempt);
    if (!retriable(result) || attempt >= policy.maxAttempts) return result;
    const delay =
      retryAfterMs(result, Date.now()) ?? Math.min(policy.maxDelayMs, FIRST_DELAY_MS * 2 ** (attempt - 1));
    // Not enough time left to wait and try again: give up now rather than past the deadline.
    if (Date.now() + delay >= deadline) return result;
    await sleep(delay);
  }
}

async function attemptOnce(
  http: OutboundHttp,
  request: Omit<OutboundRequest, 'timeoutMs'>,
  timeoutMs: number,
  attempt: number,
): Promise<ExchangeResult> {
  try {
    return { kind: 'response', response: await http.request({ ...request, timeoutMs }), attempts: attempt };
  } catch (error) {
    // A blocked address, a refused header or an oversized answer would fail the same way again.
    const transient =
      error instanceof OutboundHttpError && (error.kind === 'connection' || error.kind === 'timeout');
    const reason = error instanceof Error ? error.message : 'request failed';
    return { kind: 'failed', reason, transient, attempts: attempt };
  }
}
