import { createServer } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  type ConnectBackoff,
  connectRetryDelayMs,
  KRATOS_CONNECT_BACKOFF,
  type RetryClock,
  retryWithBackoff,
  waitForPostgres,
} from './connect-retry.js';

/** A clock whose sleeps pass at once, advancing its time; `random` is always the middle. */
function fakeClock(): RetryClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    random: () => 0.5,
    async sleep(ms) {
      slept.push(ms);
      now += ms;
    },
  };
}

/** A port on 127.0.0.1 that refuses connections (bound a moment ago, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function capturedLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines: () => lines };
}

describe('connectRetryDelayMs', () => {
  it("grows as cenkalti/backoff's defaults (500 ms, x1.5, at most 60 s) and spreads by ±50 %", () => {
    const middle = [1, 2, 3, 4, 5].map((n) => connectRetryDelayMs(n, KRATOS_CONNECT_BACKOFF, 0.5));
    expect(middle).toEqual([500, 750, 1125, 1688, 2531]);
    expect(connectRetryDelayMs(30, KRATOS_CONNECT_BACKOFF, 0.5)).toBe(60_000);
    expect(connectRetryDelayMs(1, KRATOS_CONNECT_BACKOFF, 0)).toBe(250);
    expect(connectRetryDelayMs(1, KRATOS_CONNECT_BACKOFF, 0.999_999)).toBe(750);
  });
});

describe('retryWithBackoff', () => {
  it('retries failures until the attempt succeeds, telling each retry', async () => {
    const clock = fakeClock();
    let calls = 0;
    const told: [string, number, number][] = [];
    const result = await retryWithBackoff(
      async () => {
        calls++;
        if (calls < 4) throw new Error(`refused ${calls}`);
        return 'connected';
      },
      {
        backoff: KRATOS_CONNECT_BACKOFF,
        clock,
        onRetry: (error, failures, delayMs) => told.push([(error as Error).message, failures, delayMs]),
      },
    );
    expect(result).toBe('connected');
    expect(told).toEqual([
      ['refused 1', 1, 500],
      ['refused 2', 2, 750],
      ['refused 3', 3, 1125],
    ]);
    expect(clock.slept).toEqual([500, 750, 1125]);
  });

  it('gives up with the last error once the next wait would pass 5 minutes, as Kratos', async () => {
    const clock = fakeClock();
    let calls = 0;
    const failing = retryWithBackoff(
      async () => {
        calls++;
        throw new Error(`refused ${calls}`);
      },
      { backoff: KRATOS_CONNECT_BACKOFF, clock, onRetry: () => {} },
    );
    await expect(failing).rejects.toThrow(`refused ${calls}`);
    const waited = clock.slept.reduce((sum, ms) => sum + ms, 0);
    expect(waited).toBeLessThanOrEqual(5 * 60_000);
    // One more wait would have passed the 5 minutes.
    expect(waited + connectRetryDelayMs(calls, KRATOS_CONNECT_BACKOFF, 0.5)).toBeGreaterThan(5 * 60_000);
    expect(calls).toBe(clock.slept.length + 1);
    expect(calls).toBeGreaterThan(10);
  });
});

describe('waitForPostgres', () => {
  const quick: ConnectBackoff = { ...KRATOS_CONNECT_BACKOFF, initialMs: 20, maxElapsedMs: 300 };

  it('logs a warning for each failed attempt and rejects with the last error when time is up', async () => {
    const port = await closedPort();
    const { logger, lines } = capturedLogger();
    const waiting = waitForPostgres(`postgres://u:secret-password@127.0.0.1:${port}/db`, {
      logger,
      backoff: quick,
    });
    await expect(waiting).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const warnings = lines().filter((line) => line.msg === 'unable to connect to the database, retrying');
    expect(warnings.length).toBeGreaterThan(1);
    expect(warnings[0]).toMatchObject({ level: 40, attempt: 1, err: { code: 'ECONNREFUSED' } });
    expect(JSON.stringify(lines())).not.toContain('secret-password');
  });

  it.runIf(process.env.DATABASE_URL)('returns at once, without a word, when the server answers', async () => {
    const { logger, lines } = capturedLogger();
    await waitForPostgres(process.env.DATABASE_URL ?? '', { logger, backoff: quick });
    expect(lines()).toEqual([]);
  });
});
