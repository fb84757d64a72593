// One worker thread of the hash pool: argon2 and bcrypt (hash-pool.ts describes the protocol).
//
// Plain JavaScript on purpose: the same file runs from src/ (tests run the TypeScript sources) and
// from dist/ (the build copies it), with no TypeScript loader in the worker.
//
// Each job runs synchronously here, one after the other: the pool keeps the next job already
// queued on this thread's port, so it starts the moment the previous one ends instead of after a
// round trip through the main event loop (which is what left cores idle between libuv jobs).
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { hashRawSync } from '@node-rs/argon2';
import { hashSync as bcryptHashSync, verifySync as bcryptVerifySync } from '@node-rs/bcrypt';

if (parentPort === null) throw new Error('hash-worker.js must run as a worker thread');
const port = parentPort;

// On Linux a nice value is per thread, so this lowers only this thread: when hashing saturates
// the CPU, the event loop (requests, session checks) is scheduled first. Elsewhere it would
// lower the whole process, so it is left alone.
if (process.platform === 'linux' && typeof workerData?.nice === 'number' && workerData.nice > 0) {
  try {
    // Relative to the thread's current value (inherited from the process), at most 19.
    setPriority(Math.min(19, getPriority() + workerData.nice));
  } catch {
    // Not allowed or not supported: hashing still works at the normal priority.
  }
}

/**
 * @param {{ kind: string, password: Uint8Array, options?: import('@node-rs/argon2').Options, cost?: number, encoded?: string }} job
 * @returns {{ value: unknown, transfer: ArrayBuffer[] }}
 */
function run(job) {
  switch (job.kind) {
    case 'argon2': {
      // A fresh copy the size of the key: its buffer can move to the main thread without copying.
      const key = new Uint8Array(hashRawSync(job.password, job.options));
      return { value: key, transfer: [key.buffer] };
    }
    case 'bcrypt-hash':
      return { value: bcryptHashSync(job.password, job.cost), transfer: [] };
    case 'bcrypt-verify':
      return { value: bcryptVerifySync(job.password, job.encoded ?? ''), transfer: [] };
    default:
      throw new Error(`unknown hash job ${JSON.stringify(job.kind)}`);
  }
}

port.on('message', (/** @type {{ id: number, kind: string, password: Uint8Array }} */ job) => {
  try {
    const { value, transfer } = run(job);
    port.postMessage({ id: job.id, value }, transfer);
  } catch (error) {
    port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  } finally {
    // This thread's copy of the password: not left in memory once hashed.
    job.password.fill(0);
  }
});
