/**
 * Writes an upstream's answer straight into the client's response, as an undici dispatch
 * handler: no promise, no intermediate body stream, headers taken in one pass over the raw
 * header list. Backpressure both ways: a full client socket pauses the upstream read.
 *
 * - Hop-by-hop headers (and those the upstream's `Connection` names) are dropped; names are
 *   sent lower-case, in the upstream's order (repeated ones, e.g. `Set-Cookie`, repeated).
 * - With CORS headers given, the upstream's `Access-Control-*` are dropped and ours added,
 *   `Vary` merged.
 * - 1xx answers are not relayed (Node answers the client's `Expect` itself).
 * - With `trailers` (the client sent `TE: trailers`), the upstream's trailer fields follow the
 *   body, as Go's ReverseProxy copies `res.Trailer`; hop-by-hop and framing names are dropped.
 *   They need a chunked answer: Node drops them otherwise (an HTTP/1.0 client, a HEAD). The
 *   upstream's `Trailer` announcement is not relayed (Node refuses one on an answer it does
 *   not chunk).
 * - A failure before the answer started is `onFailure`'s to answer (502/504); after it, the
 *   client connection is destroyed. A client that goes away aborts the upstream request.
 */

import type { ServerResponse } from 'node:http';
import { type Dispatcher, util as undiciUtil } from 'undici';
import { isCorsResponseHeader, mergeVary } from './cors.js';
import { HOP_BY_HOP, listedInConnection } from './headers.js';

export interface UpstreamResponseOptions {
  res: ServerResponse;
  /** The policy's response headers when CORS is on. */
  cors: Readonly<Record<string, string>> | undefined;
  /** Relay the upstream's trailers (the client sent `TE: trailers`). */
  trailers?: boolean;
  /** No byte was written to the client yet: answer the failure. */
  onFailure(error: Error): void;
  /** The answer had started: the connection is destroyed; this only reports it. */
  onAborted(error: Error): void;
}

type Abort = (error?: Error) => void;

export function upstreamResponseHandler(options: UpstreamResponseOptions): Dispatcher.DispatchHandler {
  return new UpstreamResponse(options);
}

/** One object per request (methods on the prototype): the hot path allocates little. */
class UpstreamResponse implements Dispatcher.DispatchHandler {
  private abort: Abort | undefined;
  private done = false;
  private resume: (() => void) | undefined;
  private readonly res: ServerResponse;

  constructor(private readonly options: UpstreamResponseOptions) {
    this.res = options.res;
    // A client that goes away aborts the upstream request (left in place once done: it no-ops).
    this.res.on('close', () => {
      if (!this.done) this.abort?.();
    });
  }

  onConnect(abort: Abort): void {
    this.abort = abort;
    // The client may have gone before the upstream was even reached.
    if (this.res.destroyed) abort();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true;
    this.resume = resume;
    this.res.writeHead(statusCode, responseHeaders(rawHeaders, this.options.cors));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    // A full client socket pauses the upstream read until it drains.
    const resume = this.resume;
    if (resume !== undefined) this.res.once('drain', resume);
    return false;
  }

  /** undici hands the raw trailer list, names and values as Buffers (typed as strings). */
  onComplete(trailers: ReadonlyArray<Buffer | string> | null): void {
    this.done = true;
    if (this.options.trailers === true && trailers !== null && trailers.length > 0) {
      const fields = trailerFields(trailers, this.options.cors !== undefined);
      try {
        if (fields.length > 0) this.res.addTrailers(fields);
      } catch {
        // A field Node refuses (undici's parser has checked them): the body still ends well.
      }
    }
    this.res.end();
  }

  onError(error: Error): void {
    this.done = true;
    const { res } = this;
    if (res.destroyed) return;
    if (res.headersSent) {
      this.options.onAborted(error);
      res.destroy(error);
    } else this.options.onFailure(error);
  }
}

/** `[name, value, name, value, ...]` for `writeHead`: lower-case names, hop-by-hop ones dropped. */
export function responseHeaders(
  raw: readonly Buffer[],
  cors: Readonly<Record<string, string>> | undefined,
): string[] {
  const out: string[] = [];
  let connection: string[] | undefined;
  let vary: string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    // Known names come back as interned lower-case strings (no new string to hash per header).
    const name = undiciUtil.headerNameToString(raw[i] as Buffer);
    const value = (raw[i + 1] as Buffer).toString('latin1');
    if (HOP_BY_HOP.has(name)) {
      if (name === 'connection') connection = connection === undefined ? [value] : [...connection, value];
      continue;
    }
    if (cors !== undefined) {
      if (isCorsResponseHeader(name)) continue;
      if (name === 'vary') {
        vary = vary === undefined ? [value] : [...vary, value];
        continue;
      }
    }
    out.push(name, value);
  }
  // Rare: a Connection header naming more headers to drop.
  const listed = connection === undefined ? undefined : listedInConnection(connection);
  const kept = listed === undefined || listed.size === 0 ? out : withoutNames(out, listed);
  if (cors !== undefined) {
    if (vary !== undefined && listed?.has('vary') === true) vary = undefined;
    for (const name in cors) {
      const value = cors[name] as string;
      kept.push(name, name === 'vary' ? mergeVary(vary, value) : value);
    }
    // The policy sets no Vary of its own: keep the upstream's.
    if (vary !== undefined && !('vary' in cors)) kept.push('vary', vary.join(', '));
  }
  return kept;
}

/**
 * `[name, value]` pairs of the upstream's trailers, minus hop-by-hop and framing names (and
 * `Access-Control-*` when the listener's CORS policy owns them).
 */
export function trailerFields(raw: ReadonlyArray<Buffer | string>, cors = false): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = latin1(raw[i] as Buffer | string).toLowerCase();
    if (HOP_BY_HOP.has(name) || NOT_TRAILERS.has(name)) continue;
    if (cors && isCorsResponseHeader(name)) continue;
    fields.push([name, latin1(raw[i + 1] as Buffer | string)]);
  }
  return fields;
}

/** Fields that never belong in trailers (RFC 9110 6.5.1: framing, routing). */
const NOT_TRAILERS: ReadonlySet<string> = new Set(['content-length', 'host']);

function latin1(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('latin1');
}

function withoutNames(pairs: readonly string[], names: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < pairs.length; i += 2)
    if (!names.has(pairs[i] as string)) out.push(pairs[i] as string, pairs[i + 1] as string);
  return out;
}
