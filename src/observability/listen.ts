/**
 * Opening a `node:http` or `node:https` server on `host:port`: the small listeners that serve
 * metrics beside the main ones, and the access proxy's listeners.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running listener. */
export interface Listener {
  readonly server: Server;
  /** Where it listens, e.g. `http://127.0.0.1:9000` (`https:` for a TLS server). */
  readonly url: string;
  /** Stops accepting, closes every connection the server still tracks. */
  close(): Promise<void>;
}

/** A running metrics listener: its server stays its own. */
export type MetricsListener = Pick<Listener, 'url' | 'close'>;

/**
 * Listens with `server` on `host:port` (an empty host: every interface, as Ory's listeners) and
 * resolves once it does; rejects when it cannot (the port taken, say). `scheme` is what the server
 * speaks, for the listener's URL. Closing also ends kept-alive connections (a metrics scraper's,
 * say), so a shutdown does not wait for the client to hang up.
 */
export async function listenOn(
  server: Server,
  options: { host: string; port: number },
  scheme: 'http' | 'https' = 'http',
): Promise<Listener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const host = options.host === '' ? undefined : options.host;
    server.listen({ port: options.port, ...(host !== undefined ? { host } : {}) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `${scheme}://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
