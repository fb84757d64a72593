/**
 * One access-proxy listener: a `node:http` server, or `node:https` when `serve.<name>.tls` is
 * set, with `serve.<name>.timeout` applied (`read` bounds receiving a request, `idle`
 * keep-alive), listening on `host:port`, taking request heads up to MAX_REQUEST_HEADER_BYTES.
 */

import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type Listener, listenOn } from '../observability/listen.js';
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

export type { Listener };

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
  // Empty host: every interface, as in Oathkeeper.
  return listenOn(server, settings, tls === undefined ? 'http' : 'https');
}
