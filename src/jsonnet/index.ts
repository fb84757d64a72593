/**
 * Jsonnet evaluation with Kratos's semantics (web hook bodies, courier HTTP bodies, OIDC claim
 * mappers, the session tokenizer), off the main thread and bounded in time and memory.
 * See docs/jsonnet.md.
 */

export {
  createJsonnetEvaluator,
  JSONNET_DEFAULTS,
  type JsonnetCallOptions,
  type JsonnetEvaluator,
  type JsonnetEvaluatorOptions,
  type JsonnetEvaluatorStats,
  type JsonnetWorkerPool,
} from './evaluator.js';
export { findImport, type ImportToken } from './imports.js';
export { CANCEL_MARKER, isCancelMessage, type JsonnetOutcome, outcomeFailure } from './outcome.js';
