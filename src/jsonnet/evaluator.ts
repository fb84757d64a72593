/**
 * Jsonnet evaluation off the main thread, in a small pool of worker processes, each evaluation
 * bounded in time and memory.
 *
 * Why processes and not worker_threads: the binding evaluates on a libuv threadpool thread, in
 * native code. `Worker.terminate()` cannot stop that: measured here, terminating a worker thread
 * whose template loops (`local f(x) = f(x + 1) tailstrict; f(0)`) never resolves, the loop keeps
 * a threadpool thread (shared with fs, dns.lookup and password hashing) busy for good, and the
 * process can no longer exit. V8's `resourceLimits` do not see libjsonnet's heap either. A child
 * process can be killed whatever it runs, so a runaway template costs one process restart.
 * This is what Kratos does too (ory/x jsonnetsecure: a pool of `kratos jsonnet` processes).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { findImport } from './imports.js';
import { errorOutcome, type JsonnetOutcome, jsonOutcome } from './outcome.js';
import { type EvaluateRequest, isWorkerMessage, type WorkerMessage, workerArgv } from './protocol.js';

/** Limits and pool size; every field has a default (see {@link JSONNET_DEFAULTS}). */
export interface JsonnetEvaluatorOptions {
  /** Most worker processes, started when needed. */
  workers?: number;
  /** Time bound of one evaluation, from the moment a worker takes it. */
  timeoutMs?: number;
  /** Resident memory bound of a worker process (Node itself included, about 75 MiB). */
  maxMemoryMb?: number;
  /** Most evaluations waiting for a worker; past it calls are refused with an `error` outcome. */
  maxQueue?: number;
  /** Largest evaluated JSON text accepted, in bytes. */
  maxOutputBytes?: number;
  /** Where killed and crashed workers are reported. */
  logger?: Pick<Logger, 'warn' | 'error'>;
}

export const JSONNET_DEFAULTS = {
  workers: 2,
  timeoutMs: 2_000,
  maxMemoryMb: 256,
  maxQueue: 100,
  maxOutputBytes: 4 * 1024 * 1024,
} as const satisfies Required<Omit<JsonnetEvaluatorOptions, 'logger'>>;

/** Options of one evaluation. */
export interface JsonnetCallOptions {
  /** Overrides the evaluator's time bound for this call. */
  timeoutMs?: number;
  /** The name libjsonnet shows in error locations (Kratos shows the template's URI). */
  filename?: string;
}

export interface JsonnetEvaluator {
  /**
   * Evaluates `source`, a Jsonnet function, called with `topLevelArgs` bound as top-level
   * arguments (`jsonnet --tla-code name=<json>`): `{ ctx }` for web hooks, as Kratos does.
   * A source that is not a function ignores them, as in Jsonnet.
   */
  callFunction(
    source: string,
    topLevelArgs: Record<string, unknown>,
    options?: JsonnetCallOptions,
  ): Promise<JsonnetOutcome>;
  /**
   * Evaluates `source`, a plain snippet that reads `extVars` with `std.extVar(name)`
   * (`jsonnet --ext-code name=<json>`): `{ claims }` for OIDC claim mappers.
   */
  evaluate(
    source: string,
    extVars: Record<string, unknown>,
    options?: JsonnetCallOptions,
  ): Promise<JsonnetOutcome>;
  /** Kills the workers; pending and later calls get an `error` outcome. */
  close(): Promise<void>;
}

/** The evaluator {@link createJsonnetEvaluator} makes: its pool can be inspected. */
export interface JsonnetWorkerPool extends JsonnetEvaluator {
  /** Worker processes and queued calls, for health and metrics. */
  stats(): JsonnetEvaluatorStats;
}

export interface JsonnetEvaluatorStats {
  workers: Array<{ pid: number | undefined; state: 'starting' | 'idle' | 'busy' }>;
  queued: number;
}

const DEFAULT_FILENAME = 'template.jsonnet';
/** Loading Node and libjsonnet takes ~100 ms; this only catches a worker that cannot start. */
const STARTUP_TIMEOUT_MS = 15_000;
const STDERR_TAIL_CHARS = 2_000;
const WORKER_URL = new URL('./worker.js', import.meta.url);

interface Job {
  request: EvaluateRequest;
  timeoutMs: number;
  settle(outcome: JsonnetOutcome): void;
}

interface Worker {
  child: ChildProcess;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Set when the worker reported going over its memory bound. */
  memoryExceeded: number | undefined;
  stderr: string;
  exited: Promise<void>;
}

export function createJsonnetEvaluator(options: JsonnetEvaluatorOptions = {}): JsonnetWorkerPool {
  const workers = positiveInteger('workers', options.workers ?? JSONNET_DEFAULTS.workers);
  const defaultTimeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? JSONNET_DEFAULTS.timeoutMs);
  const maxMemoryMb = positiveInteger('maxMemoryMb', options.maxMemoryMb ?? JSONNET_DEFAULTS.maxMemoryMb);
  const maxQueue = positiveInteger('maxQueue', options.maxQueue ?? JSONNET_DEFAULTS.maxQueue);
  const maxOutputBytes = positiveInteger(
    'maxOutputBytes',
    options.maxOutputBytes ?? JSONNET_DEFAULTS.maxOutputBytes,
  );
  const logger = options.logger;
  const maxMemoryBytes = maxMemoryMb * 1024 * 1024;

  const pool = new Set<Worker>();
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  function spawn(): Worker {
    const child = fork(fileURLToPath(WORKER_URL), workerArgv({ maxMemoryBytes, maxOutputBytes }), {
      // Not the parent's flags (an --inspect port, a test runner's loader) nor its environment
      // (secrets): the worker needs neither. One threadpool thread: it runs one template at a time.
      execArgv: [`--max-old-space-size=${maxMemoryMb}`],
      env: { UV_THREADPOOL_SIZE: '1' },
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let onExit: () => void = () => {};
    const worker: Worker = {
      child,
      state: 'starting',
      job: undefined,
      timer: undefined,
      memoryExceeded: undefined,
      stderr: '',
      exited: new Promise<void>((resolve) => {
        onExit = resolve;
      }),
    };
    pool.add(worker);
    // An idle pool must not keep the process alive; a running job holds it through its timer.
    child.unref();
    child.channel?.unref();
    if (child.stderr instanceof Socket) child.stderr.unref();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      worker.stderr = (worker.stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    worker.timer = setTimeout(() => {
      logger?.error({ pid: child.pid }, 'Jsonnet worker did not start in time; killing it');
      child.kill('SIGKILL');
    }, STARTUP_TIMEOUT_MS);
    child.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) onMessage(worker, message);
    });
    let gone = false;
    const onGone = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (gone) return;
      gone = true;
      onWorkerGone(worker, code, signal, error);
      onExit();
    };
    // 'close', not 'exit': it comes after the IPC channel and stderr are drained, so a last
    // 'memory_limit' message and the crash output are in before the job is settled.
    child.on('close', (code, signal) => onGone(code, signal));
    child.on('error', (error) => {
      // Spawning failed ('close' may not follow), or a kill or send failed on a live process
      // (ignored: the timeout or the 'close' settles its job).
      if (child.pid === undefined || child.exitCode !== null) onGone(null, null, error);
    });
    return worker;
  }

  function onMessage(worker: Worker, message: WorkerMessage): void {
    if (message.type === 'ready') {
      if (worker.state !== 'starting') return;
      clearTimeout(worker.timer);
      worker.state = 'idle';
      pump();
      return;
    }
    const job = worker.job;
    if (worker.state !== 'busy' || job === undefined || job.request.id !== message.id) return;
    clearTimeout(worker.timer);
    worker.job = undefined;
    if (message.type === 'memory_limit') {
      worker.memoryExceeded = message.rss;
      retire(worker);
      logger?.warn(
        { pid: worker.child.pid, rss: message.rss, maxMemoryBytes },
        'Jsonnet evaluation went over its memory bound; worker killed',
      );
      job.settle({ kind: 'resource_limit', message: memoryMessage(message.rss) });
      pump();
      return;
    }
    job.settle(message.ok ? jsonOutcome(message.json) : errorOutcome(message.message));
    // Memory a big evaluation took is seldom given back; start afresh rather than have the next,
    // small evaluation killed for it.
    if (message.rss > maxMemoryBytes / 2) retire(worker);
    else worker.state = 'idle';
    pump();
  }

  function onTimeout(worker: Worker): void {
    const job = worker.job;
    worker.job = undefined;
    retire(worker);
    logger?.warn(
      { pid: worker.child.pid, timeoutMs: job?.timeoutMs },
      'Jsonnet evaluation took longer than its time bound; worker killed',
    );
    job?.settle({ kind: 'timeout' });
    pump();
  }

  function onWorkerGone(
    worker: Worker,
    code: number | null,
    signal: NodeJS.Signals | null,
    error: Error | undefined,
  ): void {
    const wasStarting = worker.state === 'starting';
    clearTimeout(worker.timer);
    worker.state = 'dead';
    pool.delete(worker);
    const job = worker.job;
    worker.job = undefined;
    if (job === undefined && !wasStarting) {
      pump();
      return;
    }
    const how = error ? error.message : signal ? `signal ${signal}` : `exit code ${code}`;
    const stderr = worker.stderr.trim();
    const detail = `${how}${stderr ? `: ${stderr}` : ''}`;
    if (job !== undefined) {
      logger?.error(
        { pid: worker.child.pid, code, signal, stderr },
        'Jsonnet worker died during an evaluation',
      );
      // A worker killed for its memory reports it first; an allocation failure reports nothing.
      job.settle(
        worker.memoryExceeded !== undefined
          ? { kind: 'resource_limit', message: memoryMessage(worker.memoryExceeded) }
          : /out of memory|allocation|bad_alloc/i.test(stderr)
            ? { kind: 'resource_limit', message: `the Jsonnet worker ran out of memory (${detail})` }
            : { kind: 'error', message: `the Jsonnet worker died during the evaluation (${detail})` },
      );
    }
    if (wasStarting && !closed) {
      logger?.error({ code, signal, stderr }, 'Jsonnet worker failed to start');
      // Without any worker coming, fail what waits instead of respawning in a loop; later calls
      // try again.
      const starting = [...pool].some((w) => w.state !== 'dead');
      if (!starting) {
        for (const waiting of queue.splice(0)) {
          waiting.settle({ kind: 'error', message: `could not start a Jsonnet worker (${detail})` });
        }
      }
    }
    pump();
  }

  /** Takes the worker out of the pool and kills it; its 'close' cleans up. */
  function retire(worker: Worker): void {
    clearTimeout(worker.timer);
    worker.state = 'dead';
    pool.delete(worker);
    worker.child.kill('SIGKILL');
  }

  function memoryMessage(rss: number): string {
    const mb = (rss / 1024 / 1024).toFixed(0);
    return `the Jsonnet evaluation went over the memory bound of ${maxMemoryMb} MiB (worker at ${mb} MiB)`;
  }

  /** Hands queued jobs to idle workers, starting workers while there is room. */
  function pump(): void {
    if (closed) return;
    for (const worker of pool) {
      if (queue.length === 0) return;
      if (worker.state === 'idle') dispatch(worker, queue.shift()!);
    }
    const starting = [...pool].filter((w) => w.state === 'starting').length;
    let toStart = Math.min(queue.length - starting, workers - pool.size);
    while (toStart-- > 0) spawn();
  }

  function dispatch(worker: Worker, job: Job): void {
    worker.state = 'busy';
    worker.job = job;
    worker.timer = setTimeout(() => onTimeout(worker), job.timeoutMs);
    worker.child.send(job.request, (error) => {
      // The worker died between being picked and the send; its 'close' settles the job.
      if (error) worker.child.kill('SIGKILL');
    });
  }

  function submit(
    source: string,
    values: Record<string, unknown>,
    bind: 'tla' | 'ext',
    options: JsonnetCallOptions,
  ): Promise<JsonnetOutcome> {
    if (closed) return Promise.resolve({ kind: 'error', message: 'the Jsonnet evaluator was closed' });
    const refused = refuse(source);
    if (refused !== undefined) return Promise.resolve(refused);
    const codes = encodeValues(values);
    if (typeof codes === 'string') return Promise.resolve({ kind: 'error', message: codes });
    if (queue.length >= maxQueue) {
      logger?.warn({ maxQueue }, 'Jsonnet evaluation queue is full; evaluation refused');
      return Promise.resolve({
        kind: 'error',
        message: `too many Jsonnet evaluations waiting (${maxQueue}); try again later`,
      });
    }
    return new Promise<JsonnetOutcome>((resolve) => {
      const timeoutMs =
        options.timeoutMs === undefined ? defaultTimeoutMs : positiveInteger('timeoutMs', options.timeoutMs);
      let settled = false;
      queue.push({
        request: {
          type: 'evaluate',
          id: nextId++,
          source,
          filename: options.filename ?? DEFAULT_FILENAME,
          tlaCodes: bind === 'tla' ? codes : [],
          extCodes: bind === 'ext' ? codes : [],
        },
        timeoutMs,
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          resolve(outcome);
        },
      });
      pump();
    });
  }

  return {
    callFunction: (source, topLevelArgs, callOptions = {}) =>
      submit(source, topLevelArgs, 'tla', callOptions),
    evaluate: (source, extVars, callOptions = {}) => submit(source, extVars, 'ext', callOptions),
    stats: () => ({
      workers: [...pool].flatMap((w) => (w.state === 'dead' ? [] : [{ pid: w.child.pid, state: w.state }])),
      queued: queue.length,
    }),
    async close() {
      closed = true;
      const closedOutcome: JsonnetOutcome = { kind: 'error', message: 'the Jsonnet evaluator was closed' };
      for (const job of queue.splice(0)) job.settle(closedOutcome);
      const exits: Array<Promise<void>> = [];
      for (const worker of [...pool]) {
        worker.job?.settle(closedOutcome);
        worker.job = undefined;
        exits.push(worker.exited);
        retire(worker);
      }
      // The workers' handles are unref'd: hold the event loop until they are gone.
      const keepAlive = setInterval(() => {}, 1_000);
      try {
        await Promise.all(exits);
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
}

/** Refuses sources libjsonnet must not see: imports (see imports.ts) and NUL characters. */
function refuse(source: string): JsonnetOutcome | undefined {
  // libjsonnet reads the source as a C string: it would ignore everything after a NUL.
  if (source.includes('\0')) return { kind: 'error', message: 'the Jsonnet source contains a NUL character' };
  const found = findImport(source);
  if (found === undefined) return undefined;
  if (found === 'unverifiable') {
    return {
      kind: 'error',
      message: 'imports are not allowed in Jsonnet templates, and this source could not be checked for one',
    };
  }
  return {
    kind: 'error',
    message: `imports are not allowed in Jsonnet templates (${found.keyword} at line ${found.line}, column ${found.column})`,
  };
}

/** The values as `[name, json]`, or why they cannot be passed. */
function encodeValues(values: Record<string, unknown>): Array<[string, string]> | string {
  const codes: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(values)) {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      return `the value of "${name}" cannot be encoded as JSON: ${(error as Error).message}`;
    }
    codes.push([name, json ?? 'null']);
  }
  return codes;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Jsonnet evaluator option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
