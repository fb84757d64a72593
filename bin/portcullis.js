#!/usr/bin/env node
import { availableParallelism } from 'node:os';

// argon2 and bcrypt run on the hash pool's worker threads; imported hash formats are verified on
// libuv's threadpool (4 threads by default, read when it is first used): give it one thread per core
// plus two for file and DNS work, so those can use every core too (see defaultHashConcurrency).
// An explicit UV_THREADPOOL_SIZE wins.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism() + 2));

// The package is compiled on `npm install` (the `prepare` script); point at the build.
try {
  // Before the server's modules load: without it, a server could serve whoami about 30% slower
  // for its whole life, depending on how its start-up went (dist/kernel/tick-object-shape.js).
  const { pinTickObjectShape } = await import('../dist/kernel/tick-object-shape.js');
  pinTickObjectShape();
  const { main } = await import('../dist/cli/main.js');
  await main(process.argv);
} catch (error) {
  // Only the build's own entry points missing means "not built": a package missing from one of
  // them must surface as itself (its importer's path is in the message too, so test the URL).
  const entryPoints = ['../dist/kernel/tick-object-shape.js', '../dist/cli/main.js'].map(
    (path) => new URL(path, import.meta.url).href,
  );
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && entryPoints.includes(error.url)) {
    console.error('portcullis is not built yet: run `npm run build` (npm install does it for you).');
    process.exit(1);
  }
  throw error;
}
