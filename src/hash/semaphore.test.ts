import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { defaultHashConcurrency, Semaphore, sharedHashLimiter } from './semaphore.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('Semaphore', () => {
  it('never runs more than `limit` tasks at once and runs them all', async () => {
    const limiter = new Semaphore(3);
    let running = 0;
    let maxRunning = 0;
    const task = async (i: number): Promise<number> => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      // Yield a few turns so other tasks get the chance to start if the bound were broken.
      for (let turn = 0; turn < 1 + (i % 4); turn++) await nextTurn();
      running--;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => limiter.run(() => task(i))));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxRunning).toBe(3);
    expect(limiter.active).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  it('queues in arrival order and hands slots over as tasks finish', async () => {
    const limiter = new Semaphore(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        await gate.promise;
      }),
    );
    expect(limiter.active).toBe(2);
    expect(limiter.waiting).toBe(3);
    await nextTurn();
    expect(started).toEqual([0, 1]);

    gates[1]!.resolve();
    await runs[1];
    await nextTurn();
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.active).toBe(2);
    expect(limiter.waiting).toBe(2);

    for (const gate of gates) gate.resolve();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.active).toBe(0);
  });

  it('releases the slot when a task throws', async () => {
    const limiter = new Semaphore(1);
    await expect(
      limiter.run(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(limiter.active).toBe(0);
    await expect(limiter.run(() => 'next')).resolves.toBe('next');
  });

  it('rejects a nonsensical limit', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
  });
});

describe('sharedHashLimiter', () => {
  it('is one process-wide limiter sized by defaultHashConcurrency', () => {
    expect(sharedHashLimiter()).toBe(sharedHashLimiter());
    expect(sharedHashLimiter().limit).toBe(defaultHashConcurrency());
    expect(defaultHashConcurrency()).toBeGreaterThanOrEqual(1);
  });
});
