// One Jsonnet worker process, started by evaluator.ts with child_process.fork. The protocol is
// described in protocol.ts.
//
// Plain JavaScript on purpose: the same file runs from src/ (tests run the TypeScript sources) and
// from dist/ (the build copies it), with no TypeScript loader in the child.
//
// libjsonnet evaluates on a libuv threadpool thread (the binding is an AsyncWorker), so this
// process's main thread stays free while a template runs: it watches the resident set and ends
// the process when it passes the bound. Native code cannot be interrupted, so every bound ends in
// the process being killed (by itself here, or by the evaluator on timeout).
import { Jsonnet } from '@hanazuki/node-jsonnet';

const maxMemoryBytes = Number(process.argv[2]);
const maxOutputBytes = Number(process.argv[3]);
const MEMORY_POLL_MS = 10;

if (!(maxMemoryBytes > 0 && maxOutputBytes > 0) || typeof process.send !== 'function') {
  process.stderr.write(
    'worker.js: expected an IPC channel and arguments <maxMemoryBytes> <maxOutputBytes>\n',
  );
  process.exit(2);
}

/** @param {unknown} message */
function send(message, callback) {
  if (process.connected) process.send(message, undefined, undefined, callback);
}

function die() {
  process.kill(process.pid, 'SIGKILL');
}

/** @type {NodeJS.Timeout | undefined} */
let monitor;
let overLimit = false;

/** @param {number} id */
function watchMemory(id) {
  monitor = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss <= maxMemoryBytes || overLimit) return;
    overLimit = true;
    clearInterval(monitor);
    // Report first so the evaluator can tell this from a crash; die even if the report fails.
    send({ type: 'memory_limit', id, rss }, die);
    setTimeout(die, 100);
  }, MEMORY_POLL_MS);
}

/** @param {{ id: number; source: string; filename: string; tlaCodes: [string, string][]; extCodes: [string, string][] }} request */
async function evaluate(request) {
  watchMemory(request.id);
  try {
    const vm = new Jsonnet();
    for (const [name, json] of request.tlaCodes) vm.tlaCode(name, json);
    for (const [name, json] of request.extCodes) vm.extCode(name, json);
    const json = await vm.evaluateSnippet(request.source, request.filename);
    if (overLimit) return;
    const size = Buffer.byteLength(json);
    if (size > maxOutputBytes) {
      const message = `the evaluated JSON is ${size} bytes, over the limit of ${maxOutputBytes} bytes`;
      send({ type: 'result', id: request.id, ok: false, message, rss: process.memoryUsage.rss() });
      return;
    }
    send({ type: 'result', id: request.id, ok: true, json, rss: process.memoryUsage.rss() });
  } catch (error) {
    if (overLimit) return;
    const message = error instanceof Error ? error.message : String(error);
    send({ type: 'result', id: request.id, ok: false, message, rss: process.memoryUsage.rss() });
  } finally {
    clearInterval(monitor);
  }
}

process.on('message', (message) => {
  if (message && typeof message === 'object' && message.type === 'evaluate') void evaluate(message);
});
// The evaluator went away (closed, crashed or killed): nothing left to do. Killing, not exiting,
// because a normal exit would wait for a template still running on the threadpool.
process.on('disconnect', die);

send({ type: 'ready' });
