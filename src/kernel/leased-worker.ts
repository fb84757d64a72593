import type { Logger } from './logger.js';

/** Whether a write still held the lease; `lease_lost` means another worker owns the item now. */
export type LeaseSettlement = 'settled' | 'lease_lost';

/**
 * The part of an outbox table a worker loop needs (the courier's messages, the web hook
 * deliveries). Every write after the claim is conditional on `owner` still holding the lease.
 */
export interface LeasedQueue<T extends { readonly id: string }> {
  /** Leases up to `limit` due items to `owner` until `now + leaseMs`, counting an attempt on each. */
  claim(options: { owner: string; limit: number; leaseMs: number; now: Date }): Promise<T[]>;
  /** Extends a lease `owner` still holds, and that has not run out, to `now + leaseMs`. */
  renew(id: string, owner: string, options: { leaseMs: number; now: Date }): Promise<LeaseSettlement>;
  /** Gives an item back, due now; `refund` takes back the attempt its claim counted. */
  release(id: string, owner: string, options: { refund: boolean; now: Date }): Promise<LeaseSettlement>;
}

/** How a worker polls, leases and stops. */
export interface LeasedWorkerSettings {
  /** Wait between polls when fewer than a batch were due. */
  pollIntervalMs: number;
  /** Items leased per poll. */
  batchSize: number;
  /** Attempts in flight at once. */
  concurrency: number;
  /**
   * How long an item stays this worker's: from its claim, and again from just before its
   * attempt, when the worker renews the lease on that one item.
   */
  leaseMs: number;
  /**
   * One attempt's deadline. Capped at half the lease, so an attempt always ends before the
   * lease renewed for it runs out.
   */
  attemptTimeoutMs: number;
  /** On stop, how long attempts in flight may finish before they are aborted and given back. */
  stopGraceMs: number;
}

/** How an attempt ended: settled in the store by the attempt itself, or cut short by stop. */
export type AttemptEnd = 'settled' | 'stopped';

export interface LeasedWorkerDeps<T extends { readonly id: string }> {
  queue: LeasedQueue<T>;
  /** This worker's lease owner id: unique per worker. */
  owner: string;
  now(): Date;
  logger: Logger;
  /** How the logs name this worker: `courier`, `web hook outbox`. */
  label: string;
  /** Fields of an item that are safe to log (never bodies, headers or secrets). */
  about(item: T): Record<string, unknown>;
  /**
   * One attempt at an item whose lease was just renewed for longer than `timeoutMs`. It
   * records its outcome in the store and resolves `settled`, or resolves `stopped` when
   * `stopSignal` cut it short (the item is then given back with the attempt counted: whether
   * the other side got it is unknown, and delivery is at-least-once). If it throws, the item
   * stays leased until the lease runs out and a later poll retries it.
   */
  attempt(item: T, context: AttemptContext): Promise<AttemptEnd>;
}

export interface AttemptContext {
  /** Aborts when the attempt's deadline passes or stop's grace period runs out. */
  signal: AbortSignal;
  /**
   * Aborts when stop's grace period runs out: tells a stop from a deadline. It lives as long
   * as the worker, so pass it only to code that lets go of it after the call (a listener
   * added per attempt and never removed would pile up).
   */
  stopSignal: AbortSignal;
  /** The attempt's deadline, at most half the lease. */
  timeoutMs: number;
}

export interface LeasedWorker {
  /**
   * Stops polling and gives back at once the claimed items no attempt has begun; lets the
   * attempts in flight finish for the grace period, then aborts them and gives them back.
   */
  stop(): Promise<void>;
}

/**
 * The delivery loop both outboxes run: poll, lease a batch, work through it on `concurrency`
 * lanes, renewing each item's lease just before its attempt. The renewal matters when a batch
 * outlasts its lease: by then another worker may have claimed the rest, and without it both
 * would send the same item.
 */
export function startLeasedWorker<T extends { readonly id: string }>(
  deps: LeasedWorkerDeps<T>,
  requested: LeasedWorkerSettings,
): LeasedWorker {
  const { queue, owner, logger, label, about } = deps;
  const settings: LeasedWorkerSettings = {
    ...requested,
    attemptTimeoutMs: Math.min(requested.attemptTimeoutMs, Math.floor(requested.leaseMs / 2)),
  };
  const abortInFlight = new AbortController();
  let stopping = false;
  let wake: (() => void) | undefined;
  /** Claimed items of the current batch that no lane has begun yet. */
  let pending: T[] = [];

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /**
   * Leases one item afresh just before its attempt. True when the item is this worker's for a
   * whole attempt timeout and more.
   */
  async function renewLease(item: T): Promise<boolean> {
    const now = deps.now();
    const renewed = await queue.renew(item.id, owner, { leaseMs: settings.leaseMs, now });
    const remainingMs = now.getTime() + settings.leaseMs - deps.now().getTime();
    if (renewed === 'settled' && remainingMs > settings.attemptTimeoutMs) return true;
    // Not begun, so the claim's attempt is handed back. This only writes while the item is
    // still ours (its lease ran out and nobody claimed it yet, or the renewal itself was slow):
    // it is due again at once, for whichever worker polls first.
    const released = await queue.release(item.id, owner, { refund: true, now: deps.now() });
    logger.info(
      { ...about(item), given_back: released === 'settled' },
      `${label} lease lost or too short before the attempt began; not attempted by this worker`,
    );
    return false;
  }

  /** One attempt with its own signal: the deadline, or stop's grace running out. */
  async function attemptOnce(item: T): Promise<AttemptEnd> {
    const stopSignal = abortInFlight.signal;
    const controller = new AbortController();
    const deadline = setTimeout(
      () => controller.abort(new Error(`${label} attempt deadline`)),
      settings.attemptTimeoutMs,
    );
    const onStop = () => controller.abort(stopSignal.reason);
    stopSignal.addEventListener('abort', onStop, { once: true });
    try {
      return await deps.attempt(item, {
        signal: controller.signal,
        stopSignal,
        timeoutMs: settings.attemptTimeoutMs,
      });
    } finally {
      clearTimeout(deadline);
      stopSignal.removeEventListener('abort', onStop);
    }
  }

  /** Attempts one item, or gives it back untried when stop came first. Never throws. */
  async function handle(item: T): Promise<void> {
    try {
      const giveBackUntried = () => queue.release(item.id, owner, { refund: true, now: deps.now() });
      if (stopping) return void (await giveBackUntried());
      if (!(await renewLease(item))) return;
      // Stop may have come during the renewal's round trip: the item is not begun yet.
      if (stopping) return void (await giveBackUntried());
      const end = await attemptOnce(item);
      if (end === 'stopped') await queue.release(item.id, owner, { refund: false, now: deps.now() });
    } catch (error) {
      // The attempt failed unexpectedly or the store did not answer: the lease runs out and a
      // later poll retries the item.
      logger.error(
        { ...about(item), err: error },
        `${label} attempt did not settle; it is retried after the lease`,
      );
    }
  }

  async function runBatch(items: T[]): Promise<void> {
    pending = [...items];
    const lane = async () => {
      for (let item = pending.shift(); item !== undefined; item = pending.shift()) await handle(item);
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, items.length) }, lane));
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      let claimed: T[] = [];
      try {
        claimed = await queue.claim({
          owner,
          limit: settings.batchSize,
          leaseMs: settings.leaseMs,
          now: deps.now(),
        });
      } catch (error) {
        logger.error({ err: error }, `${label} could not read the outbox`);
      }
      if (claimed.length > 0) await runBatch(claimed);
      // A full batch suggests more are due: poll again at once.
      if (!stopping && claimed.length < settings.batchSize) await sleep(settings.pollIntervalMs);
    }
  }

  logger.info(
    { owner, lease_ms: settings.leaseMs, attempt_timeout_ms: settings.attemptTimeoutMs },
    `${label} worker started`,
  );
  const running = loop();
  return {
    async stop() {
      stopping = true;
      wake?.();
      // Claimed items no lane has begun go back at once, not when a lane gets to them: other
      // workers can take them while the attempts in flight finish.
      const givenBack = Promise.all(pending.splice(0).map(handle));
      const grace = setTimeout(
        () => abortInFlight.abort(new Error(`${label} worker stopping`)),
        settings.stopGraceMs,
      );
      try {
        await Promise.all([running, givenBack]);
      } finally {
        clearTimeout(grace);
      }
      logger.info({ owner }, `${label} worker stopped`);
    },
  };
}
