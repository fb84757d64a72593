/** Opening the small `node:http` listeners that serve metrics beside the main ones. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running metrics listener. */
export interface MetricsListener {
  /** Where it listens, e.g. `http://127.0.0.1:9000`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Listens with `server` on `host:port` (an empty host: every interface, as Ory's listeners) and
 * resolves once it does; rejects when it cannot (the port taken, say). Closing also ends kept-alive
 * scrape connections, so a shutdown does not wait for the scraper to hang up.
 */
export async function listenOn(
  server: Server,
  options: { host: string; port: number },
): Promise<MetricsListener> {
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
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
