/**
 * A TCP relay on loopback in front of a real server, for tests that cut one replica off from Redis
 * while the others still reach it (a network partition) and then heal the cut.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpRelay {
  /** `url` with its host and port replaced by the relay's. */
  readonly url: string;
  /** Drops every relayed connection and refuses new ones until `heal()`. */
  cut(): void;
  /** Relays new connections again. */
  heal(): void;
  close(): Promise<void>;
}

/** Starts a relay to the host and port of `url` (a `redis://` URL, say). */
export async function startTcpRelay(url: string): Promise<TcpRelay> {
  const target = new URL(url);
  const port = Number(target.port || 6379);
  let open = true;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  const server = createServer((client) => {
    track(client);
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: target.hostname, port });
    track(upstream);
    // Either side going away takes the other with it, as a broken path would.
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const relayed = new URL(url);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(address.port);

  return {
    url: relayed.toString(),
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    heal() {
      open = true;
    },
    async close() {
      open = false;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
