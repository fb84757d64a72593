/**
 * argon2id hashes per second at the server's default parameters, measured in this process with
 * the server's own hashing module (its hash pool: one worker thread per core) and as many hashes
 * in flight as the pool takes before it queues (one running and one waiting per worker): the
 * ceiling the login throughput is compared with.
 *
 * `verify` is what a login spends (one argon2id derivation at the stored hash's parameters, then
 * a constant-time compare); `hash` is what setting a password spends. Both derive one key at the
 * same parameters, so they cost the same; the login scenarios use `verify`, the operation they
 * compare with.
 */
import { createPasswordHashing, sharedHashPool } from '../../dist/hash/index.js';
import { startMachineWindow } from './machine.js';

/**
 * @typedef {object} RawHashing
 * @property {'hash' | 'verify'} operation
 * @property {number} hashesPerSec
 * @property {number} concurrency  hashes kept in flight (the pool's capacity)
 * @property {number} workers      hashes running at once (the pool's worker threads)
 * @property {number} meanMs  mean time of one hash, from start to end
 * @property {number} cpuMsPerHash  CPU time of this process per hash (the hash pool's workers
 *   doing the work, mostly)
 * @property {number} otherCpuPercent  CPU other processes spent meanwhile, in percent of one core
 */

/**
 * @param {number} durationSec
 * @param {'hash' | 'verify'} [operation]
 * @returns {Promise<RawHashing>}
 */
export async function measureRawHashing(durationSec, operation = 'hash') {
  // The process-wide pool, as in the server; nothing else in this process hashes meanwhile.
  const pool = sharedHashPool();
  const concurrency = pool.capacity;
  const hashing = createPasswordHashing({});
  const password = 'correct horse battery staple';
  const stored = await hashing.hash(password);
  // The warm-up: as many verifications at once as will be timed, so every worker thread is
  // started (≈85 ms each) and has hashed once before timing.
  const warm = await Promise.all(Array.from({ length: concurrency }, () => hashing.verify(password, stored)));
  if (!warm.every((result) => result.ok)) throw new Error('raw hashing: verify refused its own hash');
  /** @type {(n: number) => Promise<unknown>} */
  const once =
    operation === 'verify' ? () => hashing.verify(password, stored) : (n) => hashing.hash(`${password} ${n}`);
  const cpuStart = process.cpuUsage();
  const machine = startMachineWindow();
  const started = performance.now();
  const deadline = started + durationSec * 1000;
  let count = 0;
  let busyMs = 0;

  async function worker() {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await once(count);
      busyMs += performance.now() - t0;
      count++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedSec = (performance.now() - started) / 1000;
  const machinePercent = machine.end();
  const cpu = process.cpuUsage(cpuStart);
  const ownPercent = (cpu.user + cpu.system) / (elapsedSec * 1e4);
  return {
    operation,
    hashesPerSec: count / elapsedSec,
    concurrency,
    workers: pool.size,
    meanMs: count > 0 ? busyMs / count : 0,
    cpuMsPerHash: count > 0 ? (cpu.user + cpu.system) / 1000 / count : 0,
    otherCpuPercent: Math.max(0, machinePercent - ownPercent),
  };
}
