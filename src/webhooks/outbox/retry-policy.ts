import { OutboundHttpError } from '../../kernel/http-client.js';
import { TooManyRedirectsError } from '../redirects.js';

/**
 * When a web hook delivery is retried, and when it is given up.
 *
 * - **Delivered**: any 2xx (1xx never reaches here). Redirects are followed before (as Kratos's
 *   Go client does, see ../redirects.ts), so a 3xx left over (no Location, 300, 304) means the
 *   receiver never answered: it is abandoned, never taken for delivered.
 * - **Retried** with exponential back-off: 5xx, 429 Too Many Requests, 408 Request Timeout
 *   (the receiver asks to be called again), timeouts and connection errors (refused, reset,
 *   DNS failure), an address refused by `clients.http.disallow_private_ip_ranges` included: as
 *   Kratos's client, whose policy retries every dial error (the name may resolve elsewhere
 *   later). A `Retry-After` on 429/503 is honoured when it asks for longer than the back-off,
 *   up to the longest back-off step.
 * - **Abandoned** at once: any other 4xx (the receiver refuses this request: sending it again
 *   cannot help), a 3xx left over, more than 10 redirects, and an invalid URL or request.
 * - **Abandoned after `maxAttempts`** attempts in all. With the defaults (10 attempts, 15 s
 *   doubling, each wait capped at 15 min) the waits are 15 s, 30 s, 1 min, 2 min, 4 min, 8 min,
 *   15 min, 15 min, 15 min: about an hour from the first attempt to the last. Each wait is
 *   spread by ±20 % so deliveries that failed together do not all come back together.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 15_000,
  maxDelayMs: 15 * 60_000,
};

export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'abandon'; reason: string };

/** Seconds or an HTTP date, as milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export function judgeResponse(status: number, headers: Record<string, string>, now: Date): AttemptOutcome {
  if (status < 300) return { kind: 'delivered', status };
  const reason = `status ${status}`;
  if (status < 400) return { kind: 'abandon', reason };
  if (status >= 500 || status === 429 || status === 408) {
    const retryAfterMs =
      status === 429 || status === 503 ? parseRetryAfter(headers['retry-after'], now) : undefined;
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  return { kind: 'abandon', reason };
}

export function judgeError(error: unknown, now: Date): AttemptOutcome {
  // As retryablehttp's DefaultRetryPolicy: a redirect loop is not an outage.
  if (error instanceof TooManyRedirectsError) return { kind: 'abandon', reason: 'too_many_redirects' };
  if (!(error instanceof OutboundHttpError)) {
    return { kind: 'retry', reason: error instanceof Error ? `error ${error.name}` : 'error' };
  }
  switch (error.kind) {
    case 'timeout':
    case 'connection':
      return { kind: 'retry', reason: error.code === undefined ? error.kind : `${error.kind} ${error.code}` };
    case 'response_too_large':
      // The receiver answered; only its (unread) body was too long. Its status decides.
      return error.status === undefined
        ? { kind: 'retry', reason: error.kind }
        : judgeResponse(error.status, {}, now);
    case 'blocked_address':
      // The reason only: the refused address and its range stay out of the stored record.
      return { kind: 'retry', reason: error.kind };
    case 'invalid_url':
    case 'invalid_request':
      return { kind: 'abandon', reason: error.kind };
  }
}

/** The wait after failed attempt `attempt` (1-based): base * 2^(attempt-1), capped, ±20 %. */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step * (0.8 + 0.4 * random()));
}

/** When to try again after `outcome`, or null to give up. */
export function nextAttemptAt(
  outcome: Extract<AttemptOutcome, { kind: 'retry' }>,
  attempts: number,
  policy: RetryPolicy,
  now: Date,
  random: () => number = Math.random,
): Date | null {
  if (attempts >= policy.maxAttempts) return null;
  const backoff = retryDelayMs(attempts, policy, random);
  const asked = Math.min(outcome.retryAfterMs ?? 0, policy.maxDelayMs);
  return new Date(now.getTime() + Math.max(backoff, asked));
}
