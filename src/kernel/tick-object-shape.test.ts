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
  // first): rounds of ticks, each followed by a full collection with nothing queued, as a server's
  // start-up runs them. Without the pin, or with a pin made after them, this leaves the literal's
  // slots MEGAMORPHIC on Node 20 (checked by hand: MONOMORPHIC, then three MEGAMORPHIC).
  it("keeps nextTick's literal monomorphic, and later entries in the pinned class, through full collections", () => {
    const script = `
      const { pinTickObjectShape, pinnedTickObject } = await import(${JSON.stringify(BUILT)});
      const { createHook } = await import('node:async_hooks');
      pinTickObjectShape();
      for (let round = 0; round < 6; round++) {
        for (let i = 0; i < 20; i++) process.nextTick(() => {});
        await new Promise((resolve) => setImmediate(resolve));
        gc();
      }
      let later;
      const hook = createHook({ init(_id, type, _trigger, resource) { if (type === 'TickObject') later ??= resource; } });
      hook.enable();
      process.nextTick(() => {});
      hook.disable();
      %DebugPrint(process.nextTick);
      console.log('RESULT ' + JSON.stringify({ caught: later !== undefined, same: %HaveSameMap(pinnedTickObject(), later) }));
    `;
    const run = spawnSync(
      process.execPath,
      ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', script],
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(run.status).toBe(0);
    const result = run.stdout.split('\n').find((line) => line.startsWith('RESULT '));
    expect(JSON.parse(result?.slice('RESULT '.length) ?? 'null')).toEqual({ caught: true, same: true });
    // The feedback slots of the literal's computed and named properties, as V8 prints them.
    const slots = run.stdout.split('\n').filter((line) => line.includes('DefineKeyedOwnPropertyInLiteral'));
    expect(slots.length).toBeGreaterThan(0);
    for (const slot of slots) expect(slot).toContain('MONOMORPHIC');
  });
});
