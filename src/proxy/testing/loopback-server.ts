import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a loopback server got. */
export interface SeenRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  /** A list is sent as that many header lines. */
  headers?: Record<string, string | string[]>;
  /** Sent as is (a string) or as JSON. */
  body?: unknown;
  /** Close the connection instead of answering: a peer failing mid-exchange. */
  drop?: boolean;
}

export interface LoopbackServer {
  /** `http://<host>:<port>`. */
  readonly url: string;
  readonly seen: SeenRequest[];
  /** Requests to `path` (without query). */
  to(path: string): SeenRequest[];
  stop(): Promise<void>;
}

/**
 * A real HTTP server on a loopback address (`127.0.0.1`, or `127.0.0.2` to play a second host)
 * that answers each request with `route(request)` and records it: a stand-in for session
 * stores, authorizers, key servers and the like, redirects included.
 */
export async function startLoopbackServer(
  host: string,
  route: (request: SeenRequest) => Reply,
): Promise<LoopbackServer> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(request);
      const reply = route(request);
      if (reply.drop === true) {
        req.socket.destroy();
        return;
      }
      const text =
        reply.body === undefined
          ? ''
          : typeof reply.body === 'string'
            ? reply.body
            : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    seen,
    to: (path) => seen.filter((r) => new URL(r.url, 'http://x').pathname === path),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
