import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Linux's default ephemeral range, for systems that do not say theirs. */
const DEFAULT_EPHEMERAL: readonly [number, number] = [32768, 60999];
/** Below this sit the well-known and common service ports (PostgreSQL, Redis, nginx's 8080...). */
const LOWEST_TEST_PORT = 10000;

/** The range the kernel draws outgoing connections' local ports from. */
export function ephemeralPortRange(): readonly [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low as number, high as number];
  } catch {
    // Not Linux, or no procfs: assume the default.
  }
  return DEFAULT_EPHEMERAL;
}

/** Resolves with `port` if it could be bound on 127.0.0.1 a moment ago, with null if taken. */
function tryPort(port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(null) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = address !== null && typeof address !== 'string' ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A port that was free a moment ago on 127.0.0.1 (the config schema refuses port 0), chosen
 * below the ephemeral range: the caller listens on it later, and in between any outgoing
 * connection of the run (PostgreSQL, Redis, HTTP clients) may draw a port from that range,
 * which CI saw happen. Test files that run at once choose at random among some 20,000 ports,
 * so two of them rarely pick the same one, and `withFreePorts` starts again if they do.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralPortRange();
  const span = ephemeralLow - LOWEST_TEST_PORT;
  for (let attempt = 0; span > 1000 && attempt < 50; attempt++) {
    const port = await tryPort(LOWEST_TEST_PORT + Math.floor(Math.random() * span));
    if (port !== null) return port;
  }
  // A system whose ephemeral range starts low (or a crowded one): let the kernel choose.
  const port = await tryPort(0);
  if (port === null) throw new Error('no free port on 127.0.0.1');
  return port;
}

function addressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}

/**
 * Runs `start` with `count` ports that were free a moment ago, and again with new ones should one
 * have been taken before `start` listened on it: by another test file that chose the same port
 * (see freePort), or by anything else on the machine.
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
