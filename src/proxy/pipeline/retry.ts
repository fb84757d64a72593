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
export const NO_RETRY: RetryPolicy = { giveUpAfterMs: 10_000, maxDelayMs: 0, maxAttempts: 1 };

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
  return { ok: true, config: { giveUpAfterMs, maxDelayMs, maxAttempts: MAX_ATTEMPTS } };
}

export type ExchangeResult =
  | { kind: 'response'; response: OutboundResponse; attempts: number }
  /** `transient`: the remote could not be reached or did not answer in time. */
  | { kind: 'failed'; reason: string; transient: boolean; attempts: number };

/** ` (after 3 attempts)` when the outcome came after retries, for error reasons. */
export function afterAttempts(result: ExchangeResult): string {
  return result.attempts > 1 ? ` (after ${result.attempts} attempts)` : '';
}

/** Worth another attempt: the remote was unreachable, silent, or failed on its side (5xx). */
function retriable(result: ExchangeResult): boolean {
  return result.kind === 'response' ? result.response.status >= 500 : result.transient;
}

/**
 * Sends `request`, retrying network failures and 5xx answers with doubling back-off (at most
 * `maxDelayMs`) until `giveUpAfterMs` has passed or `maxAttempts` were made; the last
 * outcome is returned. Never throws.
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
    const delay = Math.min(policy.maxDelayMs, FIRST_DELAY_MS * 2 ** (attempt - 1));
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
