/**
 * One access-proxy listener: a `node:http` server, or `node:https` when `serve.<name>.tls` is
 * set, with `serve.<name>.timeout` applied (`read` bounds receiving a request, `idle`
 * keep-alive), listening on `host:port`, taking request heads up to MAX_REQUEST_HEADER_BYTES.
 */

import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ApiListenerSettings } from './config.js';
import type { TlsCredentials } from './tls.js';

/**
 * Largest request head accepted, 1 MiB: Go's http.DefaultMaxHeaderBytes, which Oathkeeper's
 * proxy and API servers keep (runProxy and runAPI set no MaxHeaderBytes). Node's default,
 * 16 KiB, refuses (431) a browser carrying a Kratos session, CSRF and an app's chunked auth
 * cookies, which Oathkeeper takes. Node sets no upper bound of its own (`maxHeaderSize` is per
 * server); a head is held in memory only until parsed, within `timeout.read` (headers alone
 * within 60 s).
 */
export const MAX_REQUEST_HEADER_BYTES = 1024 * 1024;

export interface Listener {
  readonly server: Server;
  /** `http(s)://host:port`. */
  readonly url: string;
  /** Stops accepting, closes every connection the server still tracks. */
  close(): Promise<void>;
}

export async function listen(
  settings: Pick<ApiListenerSettings, 'host' | 'port' | 'timeout'>,
  tls: TlsCredentials | undefined,
  onRequest: RequestListener,
): Promise<Listener> {
  const timeouts = {
    maxHeaderSize: MAX_REQUEST_HEADER_BYTES,
    requestTimeout: settings.timeout.readMs,
    headersTimeout: Math.min(settings.timeout.readMs, 60_000),
    keepAliveTimeout: settings.timeout.idleMs,
  };
  const server: Server =
    tls === undefined
      ? createHttpServer(timeouts, onRequest)
      : createHttpsServer({ ...timeouts, cert: tls.cert, key: tls.key }, onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Empty host: every interface, as in Oathkeeper.
    const host = settings.host === '' ? undefined : settings.host;
    server.listen({ port: settings.port, ...(host !== undefined ? { host } : {}) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `${tls === undefined ? 'http' : 'https'}://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
