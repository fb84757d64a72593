/**
 * A real HTTP server on 127.0.0.1 that speaks the HIBP range protocol, for tests (no mocks).
 * It records every request so tests can assert what left the process. Test-only; excluded from
 * the build.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the stand-in saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Request body, if any (a range request has none). */
  body: string;
}

/** How the stand-in answers; `range` is the real protocol. */
export type StandInMode =
  | { kind: 'range' }
  | { kind: 'status'; status: number }
  | { kind: 'raw'; body: string }
  | { kind: 'oversized'; bytes: number; declareLength: boolean }
  | { kind: 'hang' };

/** A running stand-in. */
export interface HibpStandIn {
  /** `http://127.0.0.1:<port>`, usable as `haveibeenpwned_host`. */
  origin: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Makes `password` known with `count` breaches. */
  breach(password: string, count: number): void;
  /** Changes how the next requests are answered. */
  setMode(mode: StandInMode): void;
  close(): Promise<void>;
}

/** Upper-case SHA-1 hex of a password, as HIBP keys it. */
export function sha1Hex(password: string): string {
  return createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
}

/** Starts a stand-in on an ephemeral port. */
export async function startHibpStandIn(): Promise<HibpStandIn> {
  const known = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  let mode: StandInMode = { kind: 'range' };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      answer(request.url ?? '', request.headers, response);
    });
  });

  function answer(url: string, headers: IncomingHttpHeaders, response: ServerResponse): void {
    switch (mode.kind) {
      case 'hang':
        return;
      case 'status':
        response.writeHead(mode.status, { 'content-type': 'text/plain' }).end('unavailable');
        return;
      case 'raw':
        response.writeHead(200, { 'content-type': 'text/plain' }).end(mode.body);
        return;
      case 'oversized': {
        const body = Buffer.alloc(mode.bytes, 'A');
        const head: Record<string, string> = { 'content-type': 'text/plain' };
        if (mode.declareLength) head['content-length'] = String(body.byteLength);
        response.writeHead(200, head).end(body);
        return;
      }
      case 'range': {
        const match = /^\/range\/([0-9A-F]{5})$/.exec(url);
        if (match === null) {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'text/plain' }).end(rangeBody(match[1]!, headers));
      }
    }
  }

  function rangeBody(prefix: string, headers: IncomingHttpHeaders): string {
    const lines: string[] = [];
    for (const [hash, count] of known) {
      if (hash.startsWith(prefix)) lines.push(`${hash.slice(5)}:${count}`);
    }
    // Real HIBP answers every prefix with hundreds of suffixes; one unrelated line keeps the
    // "suffix not in the range" case honest.
    lines.push(`${'0'.repeat(34)}1:3`);
    if (headers['add-padding'] === 'true') {
      for (let i = 0; i < 3; i++) lines.push(`${'F'.repeat(34)}${i}:0`);
    }
    return lines.join('\r\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    breach: (password, count) => {
      known.set(sha1Hex(password), count);
    },
    setMode: (next) => {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // A hanging request would otherwise keep close() waiting.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A port that was free a moment ago and has nothing listening on it now. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
