import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralPortRange, freePort, withFreePorts } from './ports.js';

/** Listens on `port` as a test server would: rejects with the socket's error. */
function listenOn(port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve(() => new Promise<void>((done) => server.close(() => done()))),
    );
  });
}

describe('withFreePorts', () => {
  it('starts again on new ports when a port was taken before the start listened on it', async () => {
    const seen: number[][] = [];
    const close = await withFreePorts(2, async (ports) => {
      seen.push(ports);
      const [first] = ports;
      if (seen.length === 1) {
        // Someone else takes the port in between, as an outgoing connection can.
        const thief = await listenOn(first ?? 0);
        try {
          return await listenOn(first ?? 0);
        } finally {
          await thief();
        }
      }
      return listenOn(first ?? 0);
    });
    await close();
    expect(seen).toHaveLength(2);
  });

  it('passes any other failure on at once, and gives up after its attempts', async () => {
    let calls = 0;
    await expect(
      withFreePorts(1, async () => {
        calls++;
        throw new Error('bad config');
      }),
    ).rejects.toThrow('bad config');
    expect(calls).toBe(1);

    calls = 0;
    await expect(
      withFreePorts(
        1,
        async () => {
          calls++;
          throw Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
        },
        3,
      ),
    ).rejects.toThrow('EADDRINUSE');
    expect(calls).toBe(3);
  });
});

describe('freePort', () => {
  const [ephemeralLow] = ephemeralPortRange();
  // Where the range starts low, freePort lets the kernel choose (see there).
  it.runIf(ephemeralLow > 11000)(
    'chooses a port below the ephemeral range, so outgoing connections cannot take it first',
    async () => {
      const ports = new Set<number>();
      for (let i = 0; i < 20; i++) ports.add(await freePort());
      for (const port of ports) {
        expect(port).toBeGreaterThanOrEqual(10000);
        expect(port).toBeLessThan(ephemeralLow);
      }
      // Chosen at random, so test files running at once seldom meet.
      expect(ports.size).toBeGreaterThan(15);
      const close = await listenOn([...ports][0] ?? 0);
      await close();
    },
  );
});
