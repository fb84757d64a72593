import { randomBytes } from 'node:crypto';
import { deriveArgon2 } from './schemes/argon2.js';

/** The argon2id cost parameters calibration tunes. */
export interface Argon2Cost {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

export interface CalibrationOptions {
  /** Where to start; the parameter not adjusted stays as given. */
  start: Argon2Cost;
  /** Which parameter moves: iterations (Kratos's default) or memory (`--adjust-memory`). */
  adjust: 'iterations' | 'memory';
  /** The upper bound for memory when adjusting it. */
  maxMemoryKiB: number;
  /** Told of every measurement, e.g. to print progress. */
  onMeasure?: (cost: Argon2Cost, ms: number) => void;
}

export interface Calibration {
  cost: Argon2Cost;
  /** What one hash took with `cost` when it was measured. */
  measuredMs: number;
}

/** Milliseconds one hash takes with `cost` (a median over a few runs). */
export type MeasureHash = (cost: Argon2Cost) => Promise<number>;

// A hash's time grows about linearly with both memory and iterations, so each step scales the
// moving parameter by target/measured; a few steps settle on the closest value.
const MAX_STEPS = 6;
const MAX_ITERATIONS = 1_000;
const MIB = 1024;

/**
 * Kratos's `hashers argon2 calibrate`: the argon2id parameters whose hash takes about
 * `targetMs` on this machine. Returns the measured cost closest to the target.
 */
export async function calibrateArgon2(
  targetMs: number,
  measure: MeasureHash,
  options: CalibrationOptions,
): Promise<Calibration> {
  if (!(targetMs > 0)) throw new RangeError('the requested duration must be positive');
  const minMemoryKiB = 8 * options.start.parallelism;
  const seen = new Map<number, number>();
  let best: Calibration | undefined;
  let cost = { ...options.start };
  for (let step = 0; step < MAX_STEPS; step++) {
    const knob = options.adjust === 'memory' ? cost.memoryKiB : cost.iterations;
    if (seen.has(knob)) break;
    const ms = await measure(cost);
    seen.set(knob, ms);
    options.onMeasure?.(cost, ms);
    if (best === undefined || closer({ cost, measuredMs: ms }, best, targetMs, options.adjust)) {
      best = { cost, measuredMs: ms };
    }
    const scale = targetMs / Math.max(ms, 0.001);
    cost =
      options.adjust === 'memory'
        ? {
            ...cost,
            // Whole MiB once above one, as people write it in configs.
            memoryKiB: clamp(roundMemory(cost.memoryKiB * scale), minMemoryKiB, options.maxMemoryKiB),
          }
        : { ...cost, iterations: clamp(Math.round(cost.iterations * scale), 1, MAX_ITERATIONS) };
  }
  if (best === undefined) throw new Error('calibration measured nothing');
  return best;
}

/**
 * Whether `candidate` is a better answer than `best`. Measured on either side of the target, the
 * one nearer wins. On the same side, the cost decides, not the clock: a hash's time grows with
 * its cost, so below the target the larger cost is nearer, above it the smaller. Comparing the
 * two times there let scheduling noise on a busy machine (a cheap hash measured slower than a
 * dear one) hand back a weaker cost than the one measured.
 */
function closer(
  candidate: Calibration,
  best: Calibration,
  targetMs: number,
  adjust: CalibrationOptions['adjust'],
): boolean {
  const below = candidate.measuredMs <= targetMs;
  if (below !== best.measuredMs <= targetMs) {
    return Math.abs(candidate.measuredMs - targetMs) < Math.abs(best.measuredMs - targetMs);
  }
  const knob = (c: Calibration) => (adjust === 'memory' ? c.cost.memoryKiB : c.cost.iterations);
  return below ? knob(candidate) > knob(best) : knob(candidate) < knob(best);
}

function roundMemory(kiB: number): number {
  return kiB >= MIB ? Math.round(kiB / MIB) * MIB : Math.round(kiB);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Measures real argon2id hashes: the median of `runs`, each with a fresh salt. */
export function argon2HashTimer(runs: number): MeasureHash {
  const password = Buffer.from('calibration password');
  let warm = false;
  return async (cost) => {
    if (!warm) {
      // Untimed and cheap: the first hash also starts the hash pool's worker thread (tens of ms).
      await deriveArgon2(password, {
        variant: 'argon2id',
        memoryKiB: 8,
        iterations: 1,
        parallelism: 1,
        salt: randomBytes(16),
        keyLength: 32,
      });
      warm = true;
    }
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      await deriveArgon2(password, { variant: 'argon2id', ...cost, salt: randomBytes(16), keyLength: 32 });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? 0;
  };
}
