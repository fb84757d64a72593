import {
  type OutboundHttp,
  OutboundHttpError,
  type OutboundRequest,
  type OutboundResponse,
} from '../kernel/http-client.js';
import { parseRetryAfter } from './outbox/retry-policy.js';
import { followRedirects } from './redirects.js';

/**
 * Kratos's web hook client (RegistryBase.HTTPClient: ory/x httpx.NewResilientClient with
 * ResilientClientWithMaxRetry(2) and ResilientClientWithConnectionTimeout(30 s), over
 * go-retryablehttp's DefaultRetryPolicy and DefaultBackoff).
 */
export interface ResilientPolicy {
  /** Retries after the first attempt (Kratos: 2, so three attempts in all). */
  maxRetries: number;
  /** Deadline of one attempt, redirects and answer included (Go's Client.Timeout: 30 s). */
  attemptTimeoutMs: number;
  /** First wait; each next one doubles (retryablehttp's RetryWaitMin: 1 s). */
  waitMinMs: number;
  /** Longest wait, a Retry-After included (RetryWaitMax: 30 s). */
  waitMaxMs: number;
}

export const KRATOS_WEB_HOOK_POLICY: ResilientPolicy = {
  maxRetries: 2,
  attemptTimeoutMs: 30_000,
  waitMinMs: 1_000,
  waitMaxMs: 30_000,
};

export interface ResilientRequest extends Omit<OutboundRequest, 'timeoutMs'> {
  /** Headers set anew on every attempt (Kratos's Ory-Webhook-Request-ID). */
  attemptHeaders?: () => Record<string, string>;
}

/** What ended the last attempt, when it did not end in an answer worth reading. */
export type GaveUp =
  | { kind: 'error'; error: unknown }
  /** A 429 or 5xx (not 501) on every attempt: its status. */
  | { kind: 'status'; status: number };

export type ResilientResult = { kind: 'response'; response: OutboundResponse; attempts: number } | GaveUp;

/** retryablehttp's DefaultRetryPolicy for answers: 429, and 5xx but 501 (and the odd status 0). */
function retryableStatus(status: number): boolean {
  return status === 429 || status === 0 || (status >= 500 && status !== 501);
}

/**
 * retryablehttp's DefaultRetryPolicy for errors: a connection that failed, was reset or timed
 * out is tried again; a refused address, a bad URL or request, or too many redirects are not.
 */
function retryableError(error: unknown): boolean {
  return error instanceof OutboundHttpError && (error.kind === 'timeout' || error.kind === 'connection');
}

/** retryablehttp's DefaultBackoff: min * 2^n capped at max, or a 429/503's Retry-After (capped too). */
function waitMs(policy: ResilientPolicy, attempt: number, response: OutboundResponse | undefined): number {
  if (response !== undefined && (response.status === 429 || response.status === 503)) {
    const asked = parseRetryAfter(response.headers['retry-after'], new Date());
    if (asked !== undefined) return Math.min(asked, policy.waitMaxMs);
  }
  return Math.min(policy.waitMinMs * 2 ** attempt, policy.waitMaxMs);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends `request` as Kratos's web hook client does: redirects followed as Go's client
 * follows them, each attempt bounded by `attemptTimeoutMs`, and up to `maxRetries` more attempts
 * after a connection error, a timeout, a 429 or a 5xx other than 501. Never throws.
 */
export async function sendResilient(
  http: OutboundHttp,
  request: ResilientRequest,
  policy: ResilientPolicy = KRATOS_WEB_HOOK_POLICY,
): Promise<ResilientResult> {
  const client = followRedirects(http);
  const { attemptHeaders, ...base } = request;
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= policy.maxRetries;
    let response: OutboundResponse;
    try {
      response = await client.request({
        ...base,
        headers: { ...(base.headers ?? {}), ...(attemptHeaders?.() ?? {}) },
        timeoutMs: policy.attemptTimeoutMs,
      });
    } catch (error) {
      if (last || !retryableError(error)) return { kind: 'error', error };
      await sleep(waitMs(policy, attempt, undefined));
      continue;
    }
    if (!retryableStatus(response.status)) return { kind: 'response', response, attempts: attempt + 1 };
    if (last) return { kind: 'status', status: response.status };
    await sleep(waitMs(policy, attempt, response));
  }
}
