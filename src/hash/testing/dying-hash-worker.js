// The real hash worker, except that a job whose password is the bytes of "die" ends the thread
// before it is hashed: how hash-pool.test.ts makes a worker fail in the middle of its queue.
//
// The real worker's 'message' listener is wrapped as it is added, so no listener exists (and no
// message is delivered) before the real one is in place.
import { parentPort } from 'node:worker_threads';

if (parentPort === null) throw new Error('dying-hash-worker.js must run as a worker thread');
const port = parentPort;
const on = port.on.bind(port);
port.on = (/** @type {string} */ event, /** @type {(value: unknown) => void} */ listener) =>
  on(
    event,
    event === 'message'
      ? (/** @type {{ password: Uint8Array }} */ job) => {
          if (Buffer.from(job.password).toString() === 'die') process.exit(1);
          listener(job);
        }
      : listener,
  );
await import('../hash-worker.js');
