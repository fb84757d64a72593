import {
  type OutboundHttp,
  OutboundHttpError,
  type OutboundRequest,
  type OutboundResponse,
} from '../kernel/http-client.js';
import { withFreshRequestId } from './analytics-headers.js';
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

/**
 * The request as every attempt sends it; an `Ory-Webhook-Request-Id` among its headers is
 * renewed on each (see analytics-headers.ts).
 */
export type ResilientRequest = Omit<OutboundRequest, 'timeoutMs'>;

/** What ended the last attempt, when it did not end in an answer worth reading. */
export type GaveUp =
  | { kind: 'error'; error: unknown; attempts: number }
  /** A 429 or 5xx (not 501) on every attempt: its status. */
  | { kind: 'status'; status: number; attempts: number };

export type ResilientResult = { kind: 'response'; response: OutboundResponse; attempts: number } | GaveUp;

/** retryablehttp's DefaultRetryPolicy for answers: 429, and 5xx but 501 (and the odd status 0). */
function retryableStatus(status: number): boolean {
  return status === 429 || status === 0 || (status >= 500 && status !== 501);
}

/**
 * retryablehttp's DefaultRetryPolicy for errors: a connection that failed, was reset or timed
 * out is tried again, and so is an address refused by `disallow_private_ip_ranges` (ory/x
 * refuses it in the dialer, and the policy retries every dial error); a bad URL or request, or
 * too many redirects are not.
 */
function retryableError(error: unknown): boolean {
  return (
    error instanceof OutboundHttpError &&
    (error.kind === 'timeout' || error.kind === 'connection' || error.kind === 'blocked_address')
  );
}

/** retryablehttp's DefaultBackoff: min * 2^n capped at max, or a 429/503's Retry-After (capped too). */
function waitMs(policy: ResilientPolicy, attempt: number, response: OutboundResponse | undefined): number {
  if (response !== undefined && (response.status === 429 || response.status === 503)) {
    const asked = parseRetryAfter(response.firstHeaders['retry-after'], new Date());
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
  const headers = request.headers ?? {};
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= policy.maxRetries;
    const attempts = attempt + 1;
    let response: OutboundResponse;
    try {
      response = await client.request({
        ...request,
        // Every attempt is a new request to the target, as retryablehttp's are.
        headers: attempt === 0 ? headers : withFreshRequestId(headers),
        timeoutMs: policy.attemptTimeoutMs,
      });
    } catch (error) {
      if (last || !retryableError(error)) return { kind: 'error', error, attempts };
      await sleep(waitMs(policy, attempt, undefined));
      continue;
    }
    if (!retryableStatus(response.status)) return { kind: 'response', response, attempts };
    if (last) return { kind: 'status', status: response.status, attempts };
    await sleep(waitMs(policy, attempt, response));
  }
}

/** Scheme, host and port: a hook URL's credentials, path and query may carry secrets. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}

/**
 * The error retryablehttp's Client.Do returns when it gives up (no ErrorHandler, as ory/x's
 * resilient client sets none): `POST <url> giving up after 3 attempt(s)` for a status it kept
 * retrying, with `: <error>` after it when the last attempt ended in an error. Kratos's web hook
 * returns it as is, so it is the message of the answer the flow gets. Kratos names the whole URL
 * (its password masked); here only its origin, as everywhere Portcullis names a hook target: the
 * message reaches whoever submitted the flow, and the logs.
 *
 * An address refused by `disallow_private_ip_ranges` is told as ssrf's ErrProhibitedIP text
 * alone: Kratos adds the address and the range it is in, which tell whoever submitted the flow
 * about the internal network. {@link givingUpDetail} keeps them for the operator's log.
 */
export function givingUpMessage(request: Pick<ResilientRequest, 'method' | 'url'>, gaveUp: GaveUp): string {
  return describeGivingUp(request, gaveUp, (error) =>
    error instanceof OutboundHttpError && error.kind === 'blocked_address'
      ? 'prohibited IP address'
      : messageOf(error),
  );
}

/** {@link givingUpMessage} with the last error whole (a refused address and its range): for logs. */
export function givingUpDetail(request: Pick<ResilientRequest, 'method' | 'url'>, gaveUp: GaveUp): string {
  return describeGivingUp(request, gaveUp, messageOf);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeGivingUp(
  request: Pick<ResilientRequest, 'method' | 'url'>,
  gaveUp: GaveUp,
  cause: (error: unknown) => string,
): string {
  const prefix = `${request.method.toUpperCase()} ${originOf(request.url)} giving up after ${gaveUp.attempts} attempt(s)`;
  return gaveUp.kind === 'status' ? prefix : `${prefix}: ${cause(gaveUp.error)}`;
}
