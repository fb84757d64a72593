import { createServer, type IncomingMessage, type Server } from 'node:http';
import { freePort } from './ports.js';

/** One request the receiver got. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The body as UTF-8 text. */
  body: string;
  /** The body's bytes, for binary payloads. */
  bytes: Buffer;
}

/** How the receiver answers one request. */
export interface CannedResponse {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Response headers, over the default `Content-Type: application/json`. */
  headers?: Record<string, string>;
}

/**
 * A real HTTP server on loopback standing in for a web hook target, a `remote` authorizer or an
 * upstream: it records every request and answers from a per-path script (default 200 `{}`). It can be stopped and started again
 * on the same port, to play a target that is down.
 */
export interface HttpReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Answers requests to `path` with these responses in turn; the last one repeats. */
  script(path: string, responses: CannedResponse[] | ((request: ReceivedRequest) => CannedResponse)): void;
  /** Requests to `path` so far. */
  to(path: string): ReceivedRequest[];
  /** Resolves once `count` requests reached `path`; throws after `timeoutMs`. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const port = await freePort();
  const requests: ReceivedRequest[] = [];
  const scripts = new Map<string, CannedResponse[] | ((request: ReceivedRequest) => CannedResponse)>();
  const served = new Map<string, number>();
  let server: Server | undefined;

  function answer(request: ReceivedRequest): CannedResponse {
    const script = scripts.get(request.path);
    if (script === undefined) return { status: 200, body: {} };
    if (typeof script === 'function') return script(request);
    const index = served.get(request.path) ?? 0;
    served.set(request.path, index + 1);
    return script[Math.min(index, script.length - 1)] ?? { status: 200, body: {} };
  }

  async function start(): Promise<void> {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const received: ReceivedRequest = {
          method: req.method ?? '',
          path: new URL(req.url ?? '/', 'http://receiver').pathname,
          headers: req.headers,
          body: bytes.toString('utf8'),
          bytes,
        };
        requests.push(received);
        const response = answer(received);
        res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
        res.end(response.body === undefined ? '' : JSON.stringify(response.body));
      });
    });
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
  }

  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(path, responses) {
      scripts.set(path, responses);
      served.delete(path);
    },
    to: (path) => requests.filter((r) => r.path === path),
    async waitFor(path, count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = requests.filter((r) => r.path === path);
        if (got.length >= count) return got;
        if (Date.now() > deadline) throw new Error(`${got.length} of ${count} requests reached ${path}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      const current = server;
      server = undefined;
      if (!current) return;
      current.closeAllConnections();
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    start,
  };
}
