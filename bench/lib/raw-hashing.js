/**
 * argon2id hashes per second at the server's default parameters, measured in this process with
 * the server's own hashing module and as many hashes in flight as its limiter allows: the
 * ceiling the identity (later: login) throughput is compared with.
 */
import { createPasswordHashing, defaultHashConcurrency, Semaphore } from '../../dist/hash/index.js';
import { startMachineWindow } from './machine.js';

/**
 * @typedef {object} RawHashing
 * @property {number} hashesPerSec
 * @property {number} concurrency
 * @property {number} meanMs  mean time of one hash, from start to end
 * @property {number} otherCpuPercent  CPU other processes spent meanwhile, in percent of one core
 */

/**
 * @param {number} durationSec
 * @returns {Promise<RawHashing>}
 */
export async function measureRawHashing(durationSec) {
  const concurrency = defaultHashConcurrency();
  // Its own limiter of the same size, so nothing else in this process shares the slots.
  const hashing = createPasswordHashing({}, { limiter: new Semaphore(concurrency) });
  await hashing.hash('warm-up: allocate the first 19 MiB before timing');
  const cpuStart = process.cpuUsage();
  const machine = startMachineWindow();
  const started = performance.now();
  const deadline = started + durationSec * 1000;
  let count = 0;
  let busyMs = 0;

  async function worker() {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await hashing.hash(`correct horse battery staple ${count}`);
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
    hashesPerSec: count / elapsedSec,
    concurrency,
    meanMs: count > 0 ? busyMs / count : 0,
    otherCpuPercent: Math.max(0, machinePercent - ownPercent),
  };
}
