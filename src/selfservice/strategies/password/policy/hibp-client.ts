/**
 * A {@link BreachLookup} over the Have I Been Pwned range API (or a self-hosted mirror of it):
 * `GET <base>/range/<first 5 hex of SHA-1>`, with padding, a timeout, a body cap, an in-process
 * range cache and one request per prefix in flight.
 */

import { readCappedBody } from '../../../../kernel/capped-body.js';
import { VERSION } from '../../../../kernel/version.js';
import { type BreachCountResult, type BreachLookup, BreachLookupError } from './breach-lookup.js';
import { hashParts, parseRange, type RangeCounts } from './hibp-range.js';
import { parseHibpBase, rangeUrl } from './hibp-url.js';
import { RangeCache } from './range-cache.js';

/** Tuning of the HIBP client. None of these are Kratos config keys. */
export interface HibpClientOptions {
  /** Whole request, body included (default 5000 ms). */
  timeoutMs?: number;
  /** Largest body read (default 1 MiB; a padded range is about 40 KB). */
  maxBodyBytes?: number;
  /** Ranges kept (default 64; a real range holds about 1k suffixes, roughly 90 KB in memory). */
  cacheSize?: number;
  /** How long a range is served from the cache (default one hour, as Kratos). */
  cacheTtlMs?: number;
  /** `User-Agent` sent; HIBP refuses requests without one. */
  userAgent?: string;
  /** Clock for the cache, in milliseconds. */
  now?: () => number;
}

const DEFAULTS = {
  timeoutMs: 5_000,
  maxBodyBytes: 1024 * 1024,
  cacheSize: 64,
  cacheTtlMs: 60 * 60 * 1000,
  userAgent: `Portcullis/${VERSION} (password policy)`,
};

type RangeResult = { ok: true; counts: RangeCounts } | { ok: false; error: BreachLookupError };

/**
 * Creates a breach lookup with its own cache. Make one per process and share it.
 *
 * Failures are returned, not thrown, and are never cached: the next call asks again.
 */
export function createHibpClient(options: HibpClientOptions = {}): BreachLookup {
  const settings = {
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    userAgent: options.userAgent ?? DEFAULTS.userAgent,
  };
  const cache = new RangeCache<RangeCounts>(
    options.cacheSize ?? DEFAULTS.cacheSize,
    options.cacheTtlMs ?? DEFAULTS.cacheTtlMs,
    options.now,
  );
  // Concurrent checks of passwords under one prefix share a single request.
  const inFlight = new Map<string, Promise<RangeResult>>();

  async function range(base: URL, prefix: string): Promise<RangeResult> {
    const key = `${base.href} ${prefix}`;
    const cached = cache.get(key);
    if (cached !== undefined) return { ok: true, counts: cached };
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = fetchRange(rangeUrl(base, prefix), settings).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const result = await pending;
    if (result.ok) cache.set(key, result.counts);
    return result;
  }

  return {
    async count(password: string, host: string): Promise<BreachCountResult> {
      const base = parseHibpBase(host);
      if (base === undefined) {
        return {
          ok: false,
          error: new BreachLookupError('invalid_host', `not a HIBP host or base URL: "${host}"`),
        };
      }
      const { prefix, suffix } = hashParts(password);
      const result = await range(base, prefix);
      return result.ok ? { ok: true, count: result.counts.get(suffix) ?? 0 } : result;
    },
  };
}

interface FetchSettings {
  timeoutMs: number;
  maxBodyBytes: number;
  userAgent: string;
}

async function fetchRange(url: URL, settings: FetchSettings): Promise<RangeResult> {
  const where = `${url.origin}${url.pathname.replace(/[0-9A-F]{5}$/, '<prefix>')}`;
  try {
    const response = await fetch(url, {
      headers: { 'Add-Padding': 'true', 'User-Agent': settings.userAgent, Accept: 'text/plain' },
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    // Kratos accepts exactly 200; anything else (429 rate limit, 5xx, a captive portal's 302 page) is no answer.
    if (response.status !== 200) {
      await response.body?.cancel();
      return failure('status', `${where} answered ${response.status}`, { status: response.status });
    }
    const body = await readCappedBody(response, settings.maxBodyBytes);
    if (!body.ok) return failure('body_too_large', `${where} sent more than ${settings.maxBodyBytes} bytes`);
    const parsed = parseRange(body.bytes.toString('utf8'));
    if (!parsed.ok) return failure('malformed_response', `${where} sent a line that is not SUFFIX:COUNT`);
    return { ok: true, counts: parsed.counts };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return timedOut
      ? failure('timeout', `${where} did not answer within ${settings.timeoutMs} ms`, { cause: error })
      : failure('network', `${where} could not be reached`, { cause: error });
  }
}

function failure(
  code: BreachLookupError['code'],
  message: string,
  options?: { status?: number; cause?: unknown },
): { ok: false; error: BreachLookupError } {
  return { ok: false, error: new BreachLookupError(code, message, options) };
}
