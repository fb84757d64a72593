/**
 * Runs `work` and answers no sooner than `floorMs` after it started. Recovery and
 * verification requests do different work for a known and an unknown address (a code row and
 * a message, or nothing); a floor well above that work keeps the answer time the same, so the
 * time does not tell which addresses have accounts.
 */
export async function withTimingFloor<T>(floorMs: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const left = floorMs - (performance.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
}
