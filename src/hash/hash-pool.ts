/**
 * Password hashes of the configured hashers (argon2 derivations, bcrypt hashes and checks) on a
 * pool of worker threads, one per core, each handed its next job before it finishes the current
 * one.
 *
 * Why not libuv's threadpool (where `hashRaw` runs): a libuv job reports back to the event loop,
 * and only then can the loop start the next hash. Under login load the loop is busy or waiting
 * for a core, so every hash ended with a core idle until the loop came round: measured on 2 cores,
 * 2 hashes in flight verified ~137/s and 4 (2 running, 2 queued on the workers) ~158/s with the
 * same code, and logins rose from ~113/s to ~140/s. Queuing on libuv instead would need more libuv
 * threads than cores, which runs more hashes at once than there are cores (longer hashes) and
 * fills the pool that file-system calls and `dns.lookup` share.
 *
 * The pool is its own limiter: at most `size` hashes run at once, one more waits on each worker
 * (none beside a long hash: see {@link Job.long}), and the rest wait here in arrival order. On
 * Linux the workers run at nice 19 (a nice value is per thread there), so a saturated CPU still
 * serves requests first.
 *
 * Protocol (hash-worker.js): `{ id, ...Payload }` in, `{ id, value }` or `{ id, error }` out.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Options } from '@node-rs/argon2';

const WORKER_URL = new URL('./hash-worker.js', import.meta.url);

/** Jobs a worker holds at once: the one it runs and the next, so it never waits for the loop. */
const DEPTH = 2;
/**
 * Work (KiB of memory x passes) from which an argon2 job counts as long: 16 times a login at the
 * default parameters (19 MiB, t = 2), about a tenth of a second on a current core. High but
 * ordinary settings (RFC 9106's 64 MiB, t = 3, is 5 times) stay below it and keep their next
 * hash queued on the worker; imported hashes may carry up to 4 GiB or t = 1000, seconds each.
 */
const LONG_ARGON2_WORK = 16 * 19 * 1024 * 2;
/**
 * bcrypt cost from which a job counts as long: cost 11 takes about a tenth of a second, doubling
 * per step. Kratos's default, 12, is long: each bcrypt hash then waits for the event loop's turn
 * before it starts, a few ms at worst against a quarter of a second of hashing.
 */
const LONG_BCRYPT_COST = 11;
/**
 * How much lower the workers' priority is (Linux nice value): as low as it goes, so hashing takes
 * the CPU the event loop leaves and the loop is never kept waiting for a core behind a hash.
 *
 * Measured on 2 cores under a saturating login load (medians of 2-4 runs): logins ÷ raw argon2
 * verifications 0.77 at nice 0, 0.81 at 5, 0.82-0.84 at 10 and 15, 0.86 at 19; the loop's time waiting
 * for a core fell from 23% of wall time (nice 0) and 10-11% (nice 5) to 3%, and its p99 delay from
 * 4-5 ms to 1-3.5 ms. The more the loop can run its work in one go, the fewer times a hash is
 * interrupted and the fewer times the loop starts on caches the hash has just flushed.
 *
 * What it costs: another process of the same priority group (same session or cgroup) that keeps
 * every core busy leaves the hashes only a sliver of CPU. Containers (a cgroup per pod) and
 * systemd services (a session each, hence an autogroup each) are scheduled as groups first, so
 * this only orders Portcullis's own threads there.
 */
const DEFAULT_NICE = 19;

/** Thrown for jobs of a pool that was closed, or of a worker that died under them. */
export class HashPoolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HashPoolError';
  }
}

export interface HashPoolOptions {
  /** Worker threads, i.e. hashes running at once; default one per core. */
  size?: number;
  /** The worker script; default hash-worker.js beside this file (tests wrap it). */
  workerUrl?: URL;
  /** How much to add to the workers' Linux nice value (0 keeps the process's; 19 at most); default 19. */
  nice?: number;
}

/** What a worker is asked to do. Passwords travel as bytes of their own (see {@link exactCopy}). */
type Payload =
  | { kind: 'argon2'; password: Uint8Array; options: Options }
  | { kind: 'bcrypt-hash'; password: Uint8Array; cost: number }
  | { kind: 'bcrypt-verify'; password: Uint8Array; encoded: string; cost: number };

interface Job {
  readonly id: number;
  readonly payload: Payload;
  /**
   * A job that runs long ({@link LONG_ARGON2_WORK}, {@link LONG_BCRYPT_COST}) is never held
   * behind another job, nor another behind it: a job a worker holds cannot move to a worker that
   * frees up sooner, and behind a job of seconds it would wait that long beside an idle core.
   * For jobs that long, the round trip through the event loop between two is negligible.
   */
  readonly long: boolean;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  /** Jobs handed to this worker, in the order it runs them. */
  readonly jobs: Map<number, Job>;
}

type Reply = { id: number; value: unknown } | { id: number; error: string };

/**
 * The bytes of `view` in an array of their own: a Buffer may be a view of Node's shared 8 KiB
 * pool, and posting the view would copy (and hand the worker) the whole pool.
 */
function exactCopy(view: Uint8Array): Uint8Array {
  return new Uint8Array(view);
}

/** One worker per core: hashing is CPU-bound. */
export function defaultHashWorkers(): number {
  return Math.max(1, availableParallelism());
}

export class HashPool {
  /** Most hashes running at once (worker threads). */
  readonly size: number;
  readonly #nice: number;
  readonly #workerUrl: URL;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: HashPoolOptions = {}) {
    const size = options.size ?? defaultHashWorkers();
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`hash pool size must be a positive integer, got ${size}`);
    }
    this.size = size;
    this.#nice = options.nice ?? DEFAULT_NICE;
    this.#workerUrl = options.workerUrl ?? WORKER_URL;
  }

  /** The most hashes that run at once (as the libuv limiter's `limit`). */
  get limit(): number {
    return this.size;
  }

  /**
   * Hashes in flight without waiting here: `size` running plus one held by each worker (fewer
   * while a worker runs a long hash).
   */
  get capacity(): number {
    return this.size * DEPTH;
  }

  /** Hashes running now: workers holding at least one job. */
  get active(): number {
    let running = 0;
    for (const slot of this.#slots) if (slot.jobs.size > 0) running++;
    return running;
  }

  /** Hashes waiting here, not yet handed to any worker. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Hashes waiting: queued here, or handed to a worker still busy with an earlier one. */
  get waiting(): number {
    let held = 0;
    for (const slot of this.#slots) held += Math.max(0, slot.jobs.size - 1);
    return this.#queue.length + held;
  }

  /** argon2 of `password` with `options` (salt included), on a worker thread. */
  async argon2(password: Uint8Array, options: Options): Promise<Buffer> {
    const salt = options.salt === undefined ? undefined : exactCopy(options.salt);
    const key = await this.#submit({
      kind: 'argon2',
      password: exactCopy(password),
      options: salt === undefined ? options : { ...options, salt },
    });
    if (!(key instanceof Uint8Array)) throw new HashPoolError('a hash worker answered without a key');
    return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  }

  /** A bcrypt string of `password` (at most 72 bytes: the caller checks) at `cost`. */
  async bcryptHash(password: Uint8Array, cost: number): Promise<string> {
    const encoded = await this.#submit({ kind: 'bcrypt-hash', password: exactCopy(password), cost });
    if (typeof encoded !== 'string') throw new HashPoolError('a hash worker answered without a hash');
    return encoded;
  }

  /**
   * Whether `password` matches the bcrypt string `encoded`, whose `cost` the caller has read
   * (`bcryptCostOf`): it says whether the check is a long job.
   */
  async bcryptVerify(password: Uint8Array, encoded: string, cost: number): Promise<boolean> {
    const ok = await this.#submit({ kind: 'bcrypt-verify', password: exactCopy(password), encoded, cost });
    if (typeof ok !== 'boolean') throw new HashPoolError('a hash worker answered without a verdict');
    return ok;
  }

  #submit(payload: Payload): Promise<unknown> {
    if (this.#closed) return Promise.reject(new HashPoolError('the hash pool is closed'));
    return new Promise<unknown>((resolve, reject) => {
      const job: Job = { id: this.#nextId++, payload, long: runsLong(payload), resolve, reject };
      // Throws (rejecting this promise) only when no worker exists and none can start.
      const slot = this.#queue.length === 0 ? this.#slotFor(job) : undefined;
      if (slot === undefined) this.#queue.push(job);
      else this.#send(slot, job);
    });
  }

  /** Ends the workers; jobs not yet answered reject with {@link HashPoolError}. */
  async close(): Promise<void> {
    this.#closed = true;
    const queued = this.#queue.splice(0);
    for (const job of queued) settle(job, new HashPoolError('the hash pool is closed'));
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      for (const job of slot.jobs.values()) settle(job, new HashPoolError('the hash pool is closed'));
      slot.jobs.clear();
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  /**
   * Where `job` goes: an idle worker, else a new worker while there are fewer than `size`, else
   * the least loaded worker with room (none for a long job, nor behind one); `undefined` when
   * it must wait here.
   */
  #slotFor(job: Job): Slot | undefined {
    const idle = this.#slots.find((slot) => slot.jobs.size === 0);
    if (idle !== undefined) return idle;
    if (this.#slots.length < this.size) {
      try {
        return this.#spawn();
      } catch (error) {
        // A thread that cannot start (a container's thread limit, say): the running workers go
        // on; with none, hashing is out of service.
        if (this.#slots.length === 0) {
          throw new HashPoolError(`a hash worker could not start: ${(error as Error).message}`);
        }
      }
    }
    if (job.long) return undefined;
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot.jobs.size >= DEPTH || holdsLongJob(slot)) continue;
      if (best === undefined || slot.jobs.size < best.jobs.size) best = slot;
    }
    return best;
  }

  #spawn(): Slot {
    const worker = new Worker(this.#workerUrl, {
      // No resourceLimits: the script is tiny (a few MiB resident either way), and a worker that
      // hits a heap limit while reading a message can take the whole process down with it.
      workerData: { nice: this.#nice },
    });
    const slot: Slot = { worker, jobs: new Map() };
    worker.unref();
    worker.on('message', (reply: Reply) => this.#answer(slot, reply));
    worker.on('error', (error) => this.#lose(slot, `a hash worker failed: ${error.message}`));
    worker.on('exit', (code) => this.#lose(slot, `a hash worker exited (code ${code})`));
    this.#slots.push(slot);
    return slot;
  }

  #send(slot: Slot, job: Job): void {
    // A worker with work keeps the process alive until it answers; an idle one does not.
    if (slot.jobs.size === 0) slot.worker.ref();
    slot.jobs.set(job.id, job);
    // Cloned, not transferred: the job keeps its bytes, so it can go to another worker if this one
    // dies before starting it (they are wiped once the job is settled).
    slot.worker.postMessage({ id: job.id, ...job.payload });
  }

  #answer(slot: Slot, reply: Reply): void {
    const job = slot.jobs.get(reply.id);
    if (job === undefined) return;
    slot.jobs.delete(reply.id);
    settle(
      job,
      'error' in reply ? new Error(reply.error) : undefined,
      'value' in reply ? reply.value : undefined,
    );
    this.#dispatch();
    if (slot.jobs.size === 0) slot.worker.unref();
  }

  /** Hands queued jobs, first come first served, to workers with room for them. */
  #dispatch(): void {
    for (let next = this.#queue[0]; next !== undefined; next = this.#queue[0]) {
      const target = this.#slotFor(next);
      if (target === undefined) return;
      this.#queue.shift();
      this.#send(target, next);
    }
  }

  /**
   * A worker died: the job it was running fails, the one it held goes back to the head of the
   * queue (it never started), and the queue moves on to the others or a new worker.
   */
  #lose(slot: Slot, message: string): void {
    const index = this.#slots.indexOf(slot);
    if (index === -1) return;
    this.#slots.splice(index, 1);
    const [running, ...held] = slot.jobs.values();
    slot.jobs.clear();
    if (running !== undefined) settle(running, new HashPoolError(message));
    this.#queue.unshift(...held);
    try {
      this.#dispatch();
    } catch (error) {
      // No worker left and none can start: nothing would ever answer the queue.
      const failure = error instanceof HashPoolError ? error : new HashPoolError(String(error));
      for (const job of this.#queue.splice(0)) settle(job, failure);
    }
  }
}

function holdsLongJob(slot: Slot): boolean {
  for (const job of slot.jobs.values()) if (job.long) return true;
  return false;
}

/** Whether a job is long enough never to share a worker's queue (see {@link Job.long}). */
function runsLong(payload: Payload): boolean {
  switch (payload.kind) {
    case 'argon2':
      return (payload.options.memoryCost ?? 4096) * (payload.options.timeCost ?? 3) >= LONG_ARGON2_WORK;
    case 'bcrypt-hash':
    case 'bcrypt-verify':
      return payload.cost >= LONG_BCRYPT_COST;
  }
}

/** Answers `job` and wipes its copy of the password. */
function settle(job: Job, error: Error | undefined, value?: unknown): void {
  job.payload.password.fill(0);
  if (error === undefined) job.resolve(value);
  else job.reject(error);
}

let shared: HashPool | undefined;

/** The process-wide pool every argon2 and bcrypt hash uses. */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}
