/**
 * A counting semaphore that bounds how many password hashes run at once on libuv's threadpool:
 * the verifications of imported formats (pbkdf2, scrypt, ...). (argon2 and bcrypt run on the hash
 * pool, hash-pool.ts, which bounds itself.)
 *
 * Each hash occupies a libuv threadpool thread; past the number of cores, more work in flight only
 * adds latency, so extra calls wait in a FIFO queue instead.
 */
import { availableParallelism } from 'node:os';

/** Bounds concurrent async tasks to `limit`; the rest wait in arrival order. */
export class Semaphore {
  /** Most tasks allowed to run at once. */
  readonly limit: number;
  #active = 0;
  readonly #queue: Array<() => void> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
    }
    this.limit = limit;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Runs `task` once a slot is free and releases the slot when it settles.
   * The slot is taken synchronously when one is free, so callers can rely on `active` right after.
   */
  async run<T>(task: () => Promise<T> | T): Promise<T> {
    const slot = this.#acquire();
    if (slot !== undefined) await slot;
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> | undefined {
    if (this.#active < this.limit) {
      this.#active++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  #release(): void {
    const next = this.#queue.shift();
    // Hand the slot straight to the next waiter so `active` never dips and a newcomer cannot
    // overtake the queue.
    if (next !== undefined) next();
    else this.#active--;
  }
}

/** The libuv threadpool size this process runs with (Node's default is 4). */
function threadpoolSize(): number {
  const configured = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(configured) && configured > 0 ? configured : 4;
}

/**
 * One hash per core, leaving at least one libuv thread free. Hashing is CPU-bound: more hashes
 * than cores only queue on the CPU. Measured on 2 cores (bench `login`, when argon2 still ran
 * here), 2 slots instead of 3 gave the same logins/s with login p99 30 ms instead of 40-50 ms.
 * pbkdf2 and scrypt run on the libuv threadpool, which file-system calls and `dns.lookup`
 * share, and a pool full of hashes would stall those behind a login burst; the CLI sizes the pool
 * to the cores (bin/portcullis.js), otherwise Node's 4 threads cap this at 3.
 */
export function defaultHashConcurrency(): number {
  return Math.max(1, Math.min(availableParallelism(), threadpoolSize() - 1));
}

let shared: Semaphore | undefined;

/** The process-wide hash limiter every hasher uses unless given its own. */
export function sharedHashLimiter(): Semaphore {
  shared ??= new Semaphore(defaultHashConcurrency());
  return shared;
}
