/**
 * Messages between the evaluator and its worker processes (worker.js), over the IPC channel.
 * worker.js is plain JavaScript, so these types are the one written description of the protocol;
 * keep the two in step.
 */

/** Evaluator -> worker: evaluate one snippet. Values are JSON text, bound as Jsonnet code. */
export interface EvaluateRequest {
  type: 'evaluate';
  id: number;
  source: string;
  filename: string;
  /** Top-level arguments as `[name, json]` (`jsonnet --tla-code name=json`). */
  tlaCodes: Array<[string, string]>;
  /** External variables as `[name, json]` (`jsonnet --ext-code name=json`). */
  extCodes: Array<[string, string]>;
}

/** Worker -> evaluator. */
export type WorkerMessage =
  /** The worker loaded libjsonnet and takes requests. */
  | { type: 'ready' }
  /** The evaluation of request `id` ended; `rss` is the worker's resident set afterwards. */
  | { type: 'result'; id: number; ok: true; json: string; rss: number }
  | { type: 'result'; id: number; ok: false; message: string; rss: number }
  /** The worker went over its memory bound while evaluating; it kills itself right after. */
  | { type: 'memory_limit'; id: number; rss: number };

/** Arguments of the worker process, in order. */
export interface WorkerArguments {
  maxMemoryBytes: number;
  maxOutputBytes: number;
}

export function workerArgv(args: WorkerArguments): string[] {
  return [String(args.maxMemoryBytes), String(args.maxOutputBytes)];
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'result' || type === 'memory_limit';
}
