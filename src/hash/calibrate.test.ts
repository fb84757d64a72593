import { describe, expect, it } from 'vitest';
import { type Argon2Cost, argon2HashTimer, calibrateArgon2 } from './calibrate.js';

// The search is arithmetic; a cost model stands in for the clock so the test is exact.
const model =
  (msPerMiBIteration: number) =>
  async (cost: Argon2Cost): Promise<number> =>
    (cost.memoryKiB / 1024) * cost.iterations * msPerMiBIteration;

describe('calibrateArgon2', () => {
  it('adjusts iterations to the requested duration and keeps memory', async () => {
    const seen: Argon2Cost[] = [];
    const result = await calibrateArgon2(500, model(2), {
      start: { memoryKiB: 19 * 1024, iterations: 1, parallelism: 1 },
      adjust: 'iterations',
      maxMemoryKiB: 1024 * 1024,
      onMeasure: (cost) => seen.push(cost),
    });
    // 19 MiB × t × 2 ms ≈ 500 ms → t = 13 (494 ms).
    expect(result.cost).toEqual({ memoryKiB: 19 * 1024, iterations: 13, parallelism: 1 });
    expect(result.measuredMs).toBeCloseTo(494);
    expect(seen.length).toBeLessThanOrEqual(6);
  });

  it('adjusts memory in whole MiB within the maximum', async () => {
    const result = await calibrateArgon2(300, model(1.5), {
      start: { memoryKiB: 19 * 1024, iterations: 2, parallelism: 1 },
      adjust: 'memory',
      maxMemoryKiB: 1024 * 1024,
    });
    expect(result.cost.iterations).toBe(2);
    expect(result.cost.memoryKiB).toBe(100 * 1024);
    const capped = await calibrateArgon2(300, model(1.5), {
      start: { memoryKiB: 19 * 1024, iterations: 2, parallelism: 1 },
      adjust: 'memory',
      maxMemoryKiB: 64 * 1024,
    });
    expect(capped.cost.memoryKiB).toBe(64 * 1024);
  });

  it('keeps the dearer cost when both fall short of the target, whatever the clock said', async () => {
    // A busy machine: the 1 MiB hash was descheduled and measured slower than the 32 MiB one.
    const noisy = async (cost: Argon2Cost) => (cost.memoryKiB === 1024 ? 120 : 80);
    const result = await calibrateArgon2(5000, noisy, {
      start: { memoryKiB: 1024, iterations: 1, parallelism: 1 },
      adjust: 'memory',
      maxMemoryKiB: 32 * 1024,
    });
    expect(result.cost.memoryKiB).toBe(32 * 1024);
    // Above the target, the cheaper of two costs is the nearer one.
    const slow = async (cost: Argon2Cost) => (cost.iterations === 1 ? 900 : 950);
    const over = await calibrateArgon2(100, slow, {
      start: { memoryKiB: 1024, iterations: 2, parallelism: 1 },
      adjust: 'iterations',
      maxMemoryKiB: 1024,
    });
    expect(over.cost.iterations).toBe(1);
  });

  it('never goes below one iteration or 8 KiB per lane', async () => {
    const result = await calibrateArgon2(0.001, model(100), {
      start: { memoryKiB: 1024, iterations: 3, parallelism: 4 },
      adjust: 'iterations',
      maxMemoryKiB: 1024,
    });
    expect(result.cost.iterations).toBe(1);
    const memory = await calibrateArgon2(0.000001, model(100), {
      start: { memoryKiB: 1024, iterations: 1, parallelism: 4 },
      adjust: 'memory',
      maxMemoryKiB: 1024,
    });
    expect(memory.cost.memoryKiB).toBe(32);
  });

  it('refuses a duration that is not positive', async () => {
    await expect(
      calibrateArgon2(0, model(1), {
        start: { memoryKiB: 1024, iterations: 1, parallelism: 1 },
        adjust: 'iterations',
        maxMemoryKiB: 1024,
      }),
    ).rejects.toThrow(RangeError);
  });

  it('times real argon2id hashes', async () => {
    const ms = await argon2HashTimer(1)({ memoryKiB: 64, iterations: 1, parallelism: 1 });
    expect(ms).toBeGreaterThan(0);
  });
});
