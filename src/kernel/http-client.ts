import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { exceptionMatcher } from './outbound/exception-urls.js';
import {
  BlockedAddressError,
  guardedLookup,
  type Resolver,
  systemResolver,
} from './outbound/guarded-lookup.js';
import { ipLiteral, judgeAddress } from './outbound/ip-ranges.js';

export { type OutboundHttpConfig, outboundHttpConfig } from './outbound/config.js';

/**
 * The one way Portcullis calls other services (web hooks, courier HTTP delivery, OIDC, the
 * proxy's remote authorizers). Redirects are never followed: a 3xx comes back as is. Only
 * http: and https: URLs. The whole exchange — connect, request, response headers and body —
 * is bounded by one timeout, and the body by a byte cap. With `disallowPrivateIpRanges` the
 * address actually connected to must be public (see ./outbound/ip-ranges.ts).
 */
export interface OutboundRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Deadline for the whole exchange; the client's default (10 s) when absent. */
  timeoutMs?: number;
  /** Largest response body read; the client's default (1 MiB) when absent. */
  maxResponseBytes?: number;
  /**
   * Cancels the exchange (a worker stopping). The promise then rejects with the signal's
   * reason, not an OutboundHttpError: the caller asked for it.
   */
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /**
   * The first value of each header, as Go's `Header.Get` reads it (Retry-After, rate-limit
   * headers): the same object as `headers` unless a header came more than once.
   */
  firstHeaders: Record<string, string>;
  body: Buffer;
}

export type OutboundHttpErrorKind =
  | 'timeout'
  | 'connection'
  | 'blocked_address'
  | 'response_too_large'
  | 'invalid_url'
  /** A method or header undici refuses to send (e.g. `Transfer-Encoding`, a CR in a value). */
  | 'invalid_request';

/**
 * Why an exchange did not produce a response. The message names the origin, never the path
 * or query (they may carry secrets), so it is safe to log.
 */
export class OutboundHttpError extends Error {
  readonly kind: OutboundHttpErrorKind;
  /** The status line that came before the body was refused (`response_too_large`). */
  readonly status: number | undefined;
  /** The system or undici error code underneath, e.g. `ECONNREFUSED`. */
  readonly code: string | undefined;

  constructor(
    kind: OutboundHttpErrorKind,
    message: string,
    options: { cause?: unknown; status?: number; code?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OutboundHttpError';
    this.kind = kind;
    this.status = options.status;
    this.code = options.code;
  }
}

export interface OutboundHttp {
  request(req: OutboundRequest): Promise<OutboundResponse>;
}

/** An OutboundHttp that owns connection pools; close it on shutdown. */
export interface OutboundHttpClient extends OutboundHttp {
  close(): Promise<void>;
}

export interface OutboundHttpOptions {
  /** `clients.http.disallow_private_ip_ranges` (Kratos default: false). */
  disallowPrivateIpRanges: boolean;
  /** `clients.http.private_ip_exception_urls`: globs of URLs exempt from the IP check. */
  privateIpExceptionUrls?: readonly string[];
  /** 10 s unless set. */
  defaultTimeoutMs?: number;
  /** 1 MiB unless set. */
  defaultMaxResponseBytes?: number;
  /** How host names resolve when the IP check is on; the system resolver unless set (tests). */
  resolve?: Resolver;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** Codes that mean the peer could not be reached or dropped the exchange. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function findBlocked(error: unknown): BlockedAddressError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof BlockedAddressError) return e;
  }
  return undefined;
}

function flattenHeaders(headers: IncomingHttpHeaders): Pick<OutboundResponse, 'headers' | 'firstHeaders'> {
  const joined: Record<string, string> = {};
  let first: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      joined[name] = value;
      continue;
    }
    joined[name] = value.join(', ');
    // Copied only when some header repeats: one object for the usual answer.
    first ??= { ...joined };
    first[name] = value[0] ?? '';
  }
  if (first === undefined) return { headers: joined, firstHeaders: joined };
  for (const name of Object.keys(joined)) first[name] ??= joined[name] as string;
  return { headers: joined, firstHeaders: first };
}

export function createOutboundHttp(options: OutboundHttpOptions): OutboundHttpClient {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const defaultMaxBytes = options.defaultMaxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  // Our own deadline bounds every phase; undici's per-phase timers would only add a second,
  // longer clock (connect keeps its 10 s bound, which never exceeds a sane deadline).
  const poolOptions = { headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 4_000 } as const;
  const open = new Agent(poolOptions);
  // Separate pools: a connection opened to a private address for an exempt URL must never be
  // reused for a URL that is not exempt on the same origin.
  const guarded = options.disallowPrivateIpRanges
    ? new Agent({ ...poolOptions, connect: { lookup: guardedLookup(options.resolve ?? systemResolver) } })
    : undefined;
  const exempt = exceptionMatcher(options.privateIpExceptionUrls ?? []);

  /** The pool to use, or a refusal for a literal private IP (Node skips lookup for those). */
  function route(url: URL): Dispatcher {
    if (guarded === undefined || exempt(url)) return open;
    const literal = ipLiteral(url.hostname);
    if (literal !== undefined) {
      const verdict = judgeAddress(literal);
      if (!verdict.public) {
        throw new OutboundHttpError(
          'blocked_address',
          `${url.origin}: ${literal} (${verdict.range}) may not be reached`,
          { code: 'E_BLOCKED_ADDRESS' },
        );
      }
    }
    return guarded;
  }

  async function readBody(data: Dispatcher.ResponseData, maxBytes: number, origin: string): Promise<Buffer> {
    const tooLarge = () => {
      // Destroying emits an AbortError on the stream; nobody reads it any more.
      data.body.on('error', () => {});
      data.body.destroy();
      return new OutboundHttpError(
        'response_too_large',
        `${origin}: response body larger than ${maxBytes} bytes`,
        {
          status: data.statusCode,
        },
      );
    };
    const declared = Number(data.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of data.body) {
      const bytes = chunk as Buffer;
      total += bytes.byteLength;
      if (total > maxBytes) throw tooLarge();
      chunks.push(bytes);
    }
    return Buffer.concat(chunks, total);
  }

  async function request(req: OutboundRequest): Promise<OutboundResponse> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new OutboundHttpError('invalid_url', 'not an absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundHttpError('invalid_url', `${url.protocol} URLs are not allowed`);
    }
    const dispatcher = route(url);
    const timeoutMs = req.timeoutMs ?? defaultTimeoutMs;
    const maxBytes = req.maxResponseBytes ?? defaultMaxBytes;
    // One controller ends the exchange: the deadline, or the caller's signal. (Not
    // AbortSignal.any: a worker's long-lived signal would collect a dependent per call.)
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('outbound request deadline'));
    }, timeoutMs);
    const callerAborted = () => controller.abort(req.signal?.reason);
    if (req.signal?.aborted) callerAborted();
    else req.signal?.addEventListener('abort', callerAborted, { once: true });
    try {
      const data = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method.toUpperCase(),
        headers: req.headers ?? {},
        body: req.body ?? null,
        signal: controller.signal,
      });
      const body = await readBody(data, maxBytes, url.origin);
      return { status: data.statusCode, ...flattenHeaders(data.headers), body };
    } catch (error) {
      if (error instanceof OutboundHttpError) throw error;
      if (!timedOut && req.signal?.aborted) throw req.signal.reason;
      throw classify(error, url.origin, timedOut, timeoutMs);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', callerAborted);
    }
  }

  return {
    request,
    async close() {
      await Promise.all([open.close(), guarded?.close()]);
    },
  };
}

function classify(
  error: unknown,
  origin: string,
  deadlinePassed: boolean,
  timeoutMs: number,
): OutboundHttpError {
  const code = errorCode(error);
  const blocked = findBlocked(error);
  if (blocked !== undefined) {
    return new OutboundHttpError(
      'blocked_address',
      `${origin}: ${blocked.address} (${blocked.range}) may not be reached`,
      { cause: error, code: blocked.code },
    );
  }
  if (deadlinePassed || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new OutboundHttpError('timeout', `${origin}: no complete answer within ${timeoutMs} ms`, {
      cause: error,
      ...(code === undefined ? {} : { code }),
    });
  }
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
    const reason = error instanceof Error ? error.message : 'refused by the client';
    return new OutboundHttpError('invalid_request', `${origin}: ${reason}`, { cause: error, code });
  }
  return new OutboundHttpError('connection', `${origin}: ${code ?? 'connection failed'}`, {
    cause: error,
    ...(code === undefined ? {} : { code }),
  });
}
