// One argon2 worker thread of the hash pool (hash-pool.ts describes the protocol).
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

port.on(
  'message',
  (/** @type {{ id: number, password: Uint8Array, options: import('@node-rs/argon2').Options }} */ job) => {
    try {
      const key = hashRawSync(job.password, job.options);
      // A fresh copy the size of the key: its buffer can move to the main thread without copying.
      const out = new Uint8Array(key);
      port.postMessage({ id: job.id, key: out }, [out.buffer]);
    } catch (error) {
      port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
    }
  },
);
