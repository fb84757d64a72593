/**
 * Child of `bench/cpu-per-op.js`: a whole Portcullis from the build named by its one argument (a
 * `dist/` directory: this checkout's or another's), started as the bench's other children start
 * it. Prints its URLs on one line that starts with {@link READY} (the server may log to stdout
 * too), and stops cleanly on SIGTERM.
 */
import { pathToFileURL } from 'node:url';
import { prepareChildStorage } from './child-storage.js';
import { READY } from './cpu-per-op-ready.js';
import { startBenchPortcullis } from './portcullis-start.js';
import { loadServerModules } from './server-modules.js';

const distDir = process.argv[2];
if (distDir === undefined) throw new Error('usage: cpu-per-op-child.js <dist directory>');

/** @type {Array<() => Promise<unknown>>} */
const cleanups = [];
let closing = false;
async function stop() {
  if (closing) return;
  closing = true;
  for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent's end closes stdin: stop then too, so no server outlives a crashed parent.
process.stdin.on('end', stop).resume();

const modules = await loadServerModules(pathToFileURL(`${distDir.replace(/\/$/, '')}/`));
const storage = await prepareChildStorage(cleanups, 'portcullis-cpu-');
const running = await startBenchPortcullis(modules, storage.dir, storage.dsn, storage.redis);
cleanups.push(() => running.close());
process.stdout.write(
  `${READY}${JSON.stringify({ publicUrl: running.publicUrl, adminUrl: running.adminUrl })}\n`,
);
