import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pinnedTickObject, pinTickObjectShape } from './tick-object-shape.js';

const BUILT = pathToFileURL(
  join(import.meta.dirname, '..', '..', 'dist', 'kernel', 'tick-object-shape.js'),
).href;

describe('pinTickObjectShape', () => {
  it('holds one nextTick queue entry, and later calls keep the same one', () => {
    pinTickObjectShape();
    const first = pinnedTickObject();
    expect(first).toBeTypeOf('object');
    pinTickObjectShape();
    expect(pinnedTickObject()).toBe(first);
  });

  // In a child Node with V8's natives syntax and gc(), from the built module (npm test builds it
  // first): full collections with nothing queued, as a server's start-up runs them, then a later
  // entry is caught and compared with the pinned one. One hidden class throughout is what keeps
  // the literal's inline caches monomorphic.
  it('keeps later entries in the pinned hidden class through full collections', () => {
    const script = `
      const { pinTickObjectShape, pinnedTickObject } = await import(${JSON.stringify(BUILT)});
      const { createHook } = await import('node:async_hooks');
      pinTickObjectShape();
      // Full collections with nothing queued: what drops the classes when nothing holds them.
      for (let i = 0; i < 5; i++) { await new Promise((r) => setImmediate(r)); gc(); }
      let later;
      const hook = createHook({ init(_id, type, _trigger, resource) { if (type === 'TickObject') later ??= resource; } });
      hook.enable();
      process.nextTick(() => {});
      hook.disable();
      console.log(JSON.stringify({ caught: later !== undefined, same: %HaveSameMap(pinnedTickObject(), later) }));
    `;
    const run = spawnSync(
      process.execPath,
      ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ caught: true, same: true });
  });
});
