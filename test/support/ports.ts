import { createServer } from 'node:net';

/** A port that was free a moment ago on 127.0.0.1 (the config schema refuses port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

function addressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}

/**
 * Runs `start` with `count` ports that were free a moment ago, and again with new ones should one
 * have been taken before `start` listened on it. Ports come from the ephemeral range, which every
 * outgoing connection of the test run (PostgreSQL, Redis, HTTP clients) draws from too, so on a
 * busy run that happens: CI saw EADDRINUSE once in about 200 test files.
 */
export async function withFreePorts<T>(
  count: number,
  start: (ports: number[]) => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    try {
      return await start(ports);
    } catch (error) {
      if (!addressInUse(error) || attempt >= attempts) throw error;
    }
  }
}
