/**
 * `node bench/profile-summary.js <file.cpuprofile> [top]`: where a server's event loop spent its
 * time in a window profiled with `BENCH_PROFILE=<dir> npm run bench ...`, as plain text:
 *
 * - busy time (idle and the profiler's own "(program)" bookkeeping apart);
 * - self time by origin: this server's code (`dist/<dir>`), each npm package, Node's internals,
 *   the garbage collector, V8 builtins and native code; samples taken inside the bench's own
 *   code (probe, profiler start, IPC) are put apart;
 * - time with each origin anywhere on the stack (kysely: the whole SQL path, say);
 * - the functions with the most self time (native ones with their JS caller), and the server's
 *   functions with the most inclusive time, in percent of busy time.
 *
 * The profiler samples on wall time: when the loop is ready to run but waits for a core (hash
 * workers and the load generator on the same cores), the wait is charged to whatever it was
 * doing, typically the native call that woke another thread or process (`writev` to a loopback
 * socket wakes the load generator, `postMessage` hands a hash to a worker). Compare those with the probe's "waiting for a core".
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * @typedef {object} ProfileNode
 * @property {number} id
 * @property {{ functionName: string, url: string, lineNumber: number }} callFrame
 * @property {number[]} [children]
 */

const [file, topText] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node bench/profile-summary.js <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topText ?? 25);
const profile = /** @type {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[] }} */ (
  JSON.parse(readFileSync(file, 'utf8'))
);

/** @type {Map<number, ProfileNode>} */
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
/** @type {Map<number, number>} */
const parents = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

/** @type {Map<number, number>} microseconds of self time per node */
const selfUs = new Map();
profile.samples.forEach((id, i) => {
  // timeDeltas[i] is the time since the previous sample; it belongs to sample i's stack.
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

/** @param {ProfileNode} node */
function origin(node) {
  const { url, functionName } = node.callFrame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)' || functionName === '(program)' || functionName === '(root)')
      return functionName;
    return 'native (V8 builtins, C++)';
  }
  if (url.startsWith('node:')) return 'node: internals';
  const path = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return `npm ${pkg[1]}`;
  const dist = /^dist\/([^/]+)/.exec(path);
  if (dist) return `dist/${dist[1]}`;
  if (path.startsWith('bench/')) return 'bench (probe, profiler, IPC)';
  return path;
}

/** @param {ProfileNode} node */
function frameName(node) {
  const { url, functionName, lineNumber } = node.callFrame;
  const path = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url;
  const short = path.replace(/^.*node_modules\//, '');
  return `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
}

/** @type {Map<number, boolean>} whether a node has bench code on its stack */
const benchOnStack = new Map();
/** @param {number} id */
function inBench(id) {
  const known = benchOnStack.get(id);
  if (known !== undefined) return known;
  const node = /** @type {ProfileNode} */ (nodes.get(id));
  const parent = parents.get(id);
  const value = origin(node) === 'bench (probe, profiler, IPC)' || (parent !== undefined && inBench(parent));
  benchOnStack.set(id, value);
  return value;
}

/** @param {number} id the JS frame that called a native one, for its name */
function callerOf(id) {
  for (let at = parents.get(id); at !== undefined; at = parents.get(at)) {
    const node = /** @type {ProfileNode} */ (nodes.get(at));
    if (node.callFrame.url !== '' && !node.callFrame.url.startsWith('node:')) return frameName(node);
  }
  return undefined;
}

let totalUs = 0;
let idleUs = 0;
/** @type {Map<string, number>} */
const byOrigin = new Map();
/** @type {Map<string, number>} */
const byFunction = new Map();
for (const [id, us] of selfUs) {
  const node = /** @type {ProfileNode} */ (nodes.get(id));
  totalUs += us;
  const where = origin(node);
  if (where === '(idle)' || where === '(program)' || where === '(root)') {
    idleUs += us;
    continue;
  }
  if (inBench(id)) {
    byOrigin.set('bench (probe, profiler, IPC)', (byOrigin.get('bench (probe, profiler, IPC)') ?? 0) + us);
    continue;
  }
  byOrigin.set(where, (byOrigin.get(where) ?? 0) + us);
  const caller = node.callFrame.url === '' ? callerOf(id) : undefined;
  const name = caller ? `${frameName(node)} <- ${caller}` : frameName(node);
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}
const busyUs = totalUs - idleUs;

/** Inclusive time of the server's own functions: each sample counts once per distinct frame. */
/** @type {Map<string, number>} */
const inclusive = new Map();
/** Time with each origin anywhere on the stack. */
/** @type {Map<string, number>} */
const onStack = new Map();
for (const [id, us] of selfUs) {
  const idle = ['(idle)', '(program)', '(root)'].includes(origin(/** @type {ProfileNode} */ (nodes.get(id))));
  if (idle || inBench(id)) continue;
  const origins = new Set();
  for (let at = /** @type {number | undefined} */ (id); at !== undefined; at = parents.get(at)) {
    origins.add(origin(/** @type {ProfileNode} */ (nodes.get(at))));
  }
  for (const where of origins) if (where !== '(root)') onStack.set(where, (onStack.get(where) ?? 0) + us);
  const seen = new Set();
  for (let at = /** @type {number | undefined} */ (id); at !== undefined; at = parents.get(at)) {
    const node = /** @type {ProfileNode} */ (nodes.get(at));
    if (!origin(node).startsWith('dist/')) continue;
    const name = frameName(node);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  }
}
/** @param {number} us */
const share = (us) => `${((100 * us) / Math.max(1, busyUs)).toFixed(1).padStart(5)}%`;
/**
 * @param {string} title
 * @param {Map<string, number>} map
 * @param {number} count
 */
function list(title, map, count) {
  console.log(`\n${title}`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`  ${share(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
  }
}

console.log(
  `${file}\n  sampled ${(totalUs / 1e6).toFixed(2)} s; event loop busy ${(busyUs / 1e6).toFixed(2)} s ` +
    `(${((100 * busyUs) / Math.max(1, totalUs)).toFixed(0)}%); shares below are of busy time`,
);
list('self time by origin', byOrigin, top);
list('time with the origin anywhere on the stack', onStack, top);
list('self time by function', byFunction, top);
list('inclusive time of the server (dist/) functions', inclusive, top);
