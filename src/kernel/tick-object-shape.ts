import { createHook } from 'node:async_hooks';

/** One tick object kept for the life of the process; see {@link pinTickObjectShape}. */
let pinned: object | undefined;

/**
 * Keeps one of `process.nextTick`'s queue entries alive for good, so that every later entry has
 * the same hidden class.
 *
 * Why: Node 20 builds each entry as an object literal with computed symbol keys. V8 keeps the
 * hidden classes of that literal only while some entry is alive, and a server's start-up (modules,
 * schema compilation, migrations) runs many full collections with none queued. Each one that
 * drops the classes makes the next entry get new ones. After a few such rounds, the
 * literal's inline caches go megamorphic for the life of the process. Every `nextTick` then adds
 * its properties through the runtime. Node's streams call it several times per HTTP request.
 *
 * Measured on whoami from cache: processes in that state served about 30% fewer requests per
 * second than the others. `perf` showed `Runtime_DefineKeyedOwnPropertyInLiteral` under nextTick
 * at 10% of the CPU, and `%DebugPrint(process.nextTick)` showed the literal's slots MEGAMORPHIC
 * (the last three of its four; the first, the empty literal's, stays monomorphic). Whether a
 * process fell into it changed from one start to the next: that is the whoami and decision
 * ratios the bench read at 0.6 in one run and 0.85 in the next. With one
 * entry held from the start, the classes never die, and the slots stayed monomorphic in every
 * process tried.
 *
 * The entry is caught by an `init` async hook that is enabled for one `nextTick` call and then
 * disabled, so nothing stays hooked. It must run before the server's modules are loaded: called
 * from `startRoles` (where `startPortcullis` begins), after they had loaded, it left four
 * processes out of six megamorphic. `bin/portcullis.js` calls it before it imports anything else,
 * outside any AsyncLocalStorage context (the entry held would keep that context's store alive),
 * and the bench's server children do the same. Later calls do nothing.
 */
export function pinTickObjectShape(): void {
  if (pinned !== undefined) return;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject' && pinned === undefined) pinned = resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(() => undefined);
  } finally {
    hook.disable();
  }
}

/** The tick object held, once pinned (for tests: a later Node may build its entries otherwise). */
export function pinnedTickObject(): object | undefined {
  return pinned;
}
