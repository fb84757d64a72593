/**
 * CPU profiles of a server child's measured windows, with `BENCH_PROFILE=<dir>`: the V8 sampling
 * profiler runs from a load's start to its end (not through start-up and warm-ups), through the
 * inspector, and each window is written to `<dir>` as a `.cpuprofile` (Chrome DevTools, or
 * `node bench/profile-summary.js <file>`). Only the event loop's thread is sampled: argon2 on the
 * hash pool's worker threads does not show, which is the point — what shows is what a request costs besides it.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join, resolve } from 'node:path';

/**
 * @param {string} dir
 * @returns {{ start(): Promise<void>, stop(label: string): Promise<string> }}
 */
export function createWindowProfiler(dir) {
  const session = new Session();
  session.connect();
  let count = 0;
  let running = false;
  return {
    async start() {
      if (running) await session.post('Profiler.stop');
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      running = true;
    },
    async stop(label) {
      running = false;
      const { profile } = await session.post('Profiler.stop');
      const slug = label
        .replace(/[^a-z0-9]+/gi, '-')
        .replace(/^-|-$/g, '')
        .toLowerCase();
      await mkdir(resolve(dir), { recursive: true });
      const file = join(
        resolve(dir),
        `${process.pid}-${String(++count).padStart(2, '0')}-${slug}.cpuprofile`,
      );
      await writeFile(file, JSON.stringify(profile));
      return file;
    },
  };
}
