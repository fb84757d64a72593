/**
 * A TCP relay on loopback in front of a real server, for tests that cut one replica off from Redis
 * while the others still reach it (a network partition), or make its path hang without a reset (a
 * half-open connection), and then heal it.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpRelay {
  /** `url` with its host and port replaced by the relay's. */
  readonly url: string;
  /** Drops every relayed connection and refuses new ones until `heal()`. */
  cut(): void;
  /**
   * Keeps every connection open but holds all bytes, both ways, until `heal()`: neither side sees
   * a reset, as when a path blackholes traffic. New connections are accepted and held the same way.
   */
  freeze(): void;
  /** Relays again, delivering what `freeze` held, in order. */
  heal(): void;
  close(): Promise<void>;
}

/** One direction of a relayed connection: bytes go through unless frozen, when they wait. */
interface Direction {
  readonly to: Socket;
  readonly held: Buffer[];
}

/** Starts a relay to the host and port of `url` (a `redis://` URL, say). */
export async function startTcpRelay(url: string): Promise<TcpRelay> {
  const target = new URL(url);
  const port = Number(target.port || 6379);
  let mode: 'open' | 'cut' | 'frozen' = 'open';
  const sockets = new Set<Socket>();
  const directions = new Set<Direction>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const forward = (from: Socket, to: Socket): void => {
    const direction: Direction = { to, held: [] };
    directions.add(direction);
    from.on('data', (chunk: Buffer) => {
      if (mode === 'frozen') direction.held.push(chunk);
      else to.write(chunk);
    });
    from.on('close', () => directions.delete(direction));
  };

  const server = createServer((client) => {
    track(client);
    if (mode === 'cut') {
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
    forward(client, upstream);
    forward(upstream, client);
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
      mode = 'cut';
      for (const socket of sockets) socket.destroy();
    },
    freeze() {
      mode = 'frozen';
    },
    heal() {
      mode = 'open';
      for (const direction of directions) {
        for (const chunk of direction.held.splice(0)) direction.to.write(chunk);
      }
    },
    async close() {
      mode = 'cut';
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
