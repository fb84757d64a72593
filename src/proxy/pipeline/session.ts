import type { Readable } from 'node:stream';

export { templateData } from './template-data.js';

/** The request as the pipeline sees it; the decision API and the reverse proxy build it. */
export interface PipelineRequest {
  method: string;
  /** The full URL that was matched (scheme, host, normalised path, query). */
  url: URL;
  /** Request headers, lower-case names (Node's IncomingHttpHeaders shape). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** `<...>` capture groups of the rule's regexp match (empty for glob rules). */
  captureGroups: readonly string[];
  /** Client address, for error handlers' `when.request.remote_ip` (see errors/when.ts). */
  remoteAddress?: string;
  /**
   * The URL as the person addressed it, when it differs from `url`: in proxy mode with
   * `trust_forwarded_headers`, `url` with the host of `X-Forwarded-Host` (rules still match the
   * proxy's own Host). The `redirect` error handler's `return_to` is built from it, as
   * Oathkeeper's ErrorRedirect.extractURL reads `X-Forwarded-Host` off the proxied request.
   * Absent: `url` is that URL.
   */
  publicUrl?: URL;
  /**
   * The request body, for handlers that forward it (the `remote` authorizer). Absent when the
   * listener has none to offer (then such handlers send an empty body).
   */
  body?: RequestBody;
}

export type BodyRead =
  | { kind: 'ok'; bytes: Buffer }
  | { kind: 'too_large'; limit: number }
  | { kind: 'failed'; reason: string };

/** What the upstream gets: the untouched stream, the bytes a handler read, or nothing left. */
export type ForwardableBody =
  | { kind: 'stream'; stream: Readable }
  | { kind: 'bytes'; bytes: Buffer }
  | { kind: 'spent' };

/**
 * A request body read at most once, on demand. Streams pass through untouched unless a
 * handler reads them; a read keeps the bytes (never more than its limit) so the upstream can
 * still be sent the same body.
 */
export interface RequestBody {
  /** The whole body, up to `maxBytes`. The first call reads; later calls get its answer. */
  read(maxBytes: number): Promise<BodyRead>;
  /** What to send upstream once the pipeline allowed the request. */
  forwardable(): ForwardableBody;
}

/** A body already in memory (tests, listeners that buffer). */
export function bufferedRequestBody(bytes: Buffer): RequestBody {
  return {
    async read(maxBytes) {
      return bytes.byteLength > maxBytes ? { kind: 'too_large', limit: maxBytes } : { kind: 'ok', bytes };
    },
    forwardable: () => ({ kind: 'bytes', bytes }),
  };
}

/**
 * A body still arriving (the reverse proxy's IncomingMessage). `declaredLength` is the
 * request's Content-Length, if any: a larger one is refused without reading a byte.
 */
export function streamedRequestBody(stream: Readable, declaredLength?: number): RequestBody {
  let reading: Promise<BodyRead> | undefined;
  let outcome: BodyRead | undefined;
  return {
    read(maxBytes) {
      if (reading !== undefined) return reading;
      reading =
        declaredLength !== undefined && declaredLength > maxBytes
          ? Promise.resolve<BodyRead>({ kind: 'too_large', limit: maxBytes })
          : readAtMost(stream, maxBytes).then((read) => {
              outcome = read;
              return read;
            });
      return reading;
    },
    forwardable() {
      if (reading === undefined) return { kind: 'stream', stream };
      if (outcome?.kind === 'ok') return { kind: 'bytes', bytes: outcome.bytes };
      // Refused by its declared length: nothing was consumed.
      if (outcome === undefined) return { kind: 'stream', stream };
      return { kind: 'spent' };
    },
  };
}

/** Reads to the end, or stops (pausing, so the connection can still carry our answer) past `maxBytes`. */
function readAtMost(stream: Readable, maxBytes: number): Promise<BodyRead> {
  if (stream.readableEnded) return Promise.resolve({ kind: 'ok', bytes: Buffer.alloc(0) });
  if (stream.destroyed) return Promise.resolve({ kind: 'failed', reason: 'the request body is gone' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    // The error listener stays: a late error on a paused stream must not become an uncaught one.
    const finish = (read: BodyRead) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      resolve(read);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.byteLength;
      if (total > maxBytes) {
        stream.pause();
        finish({ kind: 'too_large', limit: maxBytes });
      } else chunks.push(bytes);
    };
    const onEnd = () => finish({ kind: 'ok', bytes: Buffer.concat(chunks, total) });
    const onError = (error: Error) => finish({ kind: 'failed', reason: error.message });
    const onClose = () => finish({ kind: 'failed', reason: 'the request body was cut short' });
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    stream.resume();
  });
}

/** Oathkeeper's AuthenticationSession. */
export interface AuthenticationSession {
  subject: string;
  extra: Record<string, unknown>;
  /** Headers for the upstream, set by mutators; canonical names (`X-User-Email`). */
  header: Record<string, string>;
  matchContext: {
    regexpCaptureGroups: readonly string[];
    url: URL;
    method: string;
    header: PipelineRequest['headers'];
  };
}

export function newSession(request: PipelineRequest): AuthenticationSession {
  return {
    subject: '',
    extra: {},
    header: {},
    matchContext: {
      regexpCaptureGroups: request.captureGroups,
      url: request.url,
      method: request.method,
      header: request.headers,
    },
  };
}

/** A request header's first value (names are matched case-insensitively). */
export function requestHeader(request: PipelineRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value[0];
}

/** Cookies of the request, in order; the first value wins for a repeated name. */
export function requestCookies(request: PipelineRequest): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const line of cookieLines(request)) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      const name = part.slice(0, eq).trim();
      if (name !== '' && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
    }
  }
  return cookies;
}

/**
 * Whether the request carries a cookie whose name `wanted` accepts: one of the names
 * `requestCookies` would list, without building the map (`cookie_session` asks on every request).
 */
export function requestHasCookie(request: PipelineRequest, wanted: (name: string) => boolean): boolean {
  for (const line of cookieLines(request)) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      const name = part.slice(0, eq).trim();
      if (name !== '' && wanted(name)) return true;
    }
  }
  return false;
}

function cookieLines(request: PipelineRequest): readonly string[] {
  const raw = request.headers.cookie;
  return raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
}
