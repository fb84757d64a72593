import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonnetEvaluator, type JsonnetWorkerPool } from './index.js';

/** The template of issue 5: educators are posted, students cancel the hook. */
const SEED = `function(ctx)
if ctx.identity.traits.user_type == "student" then
  error "cancel"
else
  { "traits": { "email": ctx.identity.traits.email } }
`;

const ctxFor = (userType: string) => ({
  ctx: { identity: { traits: { email: `${userType}@example.edu`, user_type: userType } } },
});

/** Loops forever in constant stack (a plain recursion hits libjsonnet's stack bound instead). */
const RUNAWAY = 'local f(x) = f(x + 1) tailstrict; f(0)';

/** Kratos's own memory bomb (request/stub/oom.jsonnet). */
const MEMORY_BOMB = 'function(ctx) { user_id: std.repeat("a", 1000000000) }';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Jsonnet evaluator', () => {
  let jsonnet: JsonnetWorkerPool;
  beforeAll(() => {
    jsonnet = createJsonnetEvaluator({ workers: 2 });
  });
  afterAll(async () => {
    await jsonnet.close();
  });

  it('evaluates the seed template for an educator', async () => {
    const outcome = await jsonnet.callFunction(SEED, ctxFor('teacher'));
    expect(outcome).toMatchObject({ kind: 'ok', value: { traits: { email: 'teacher@example.edu' } } });
    // The text libjsonnet printed, which is what Kratos posts.
    expect(outcome.kind === 'ok' && outcome.json).toBe(
      '{\n   "traits": {\n      "email": "teacher@example.edu"\n   }\n}\n',
    );
  });

  it('cancels the seed template for a student', async () => {
    expect(await jsonnet.callFunction(SEED, ctxFor('student'))).toEqual({ kind: 'cancelled' });
  });

  it('cancels as Kratos does: any error whose text contains "RUNTIME ERROR: cancel"', async () => {
    expect(await jsonnet.callFunction('function(ctx) error "cancelled"', { ctx: {} })).toEqual({
      kind: 'cancelled',
    });
    expect(await jsonnet.evaluate('error "cancel"', {})).toEqual({ kind: 'cancelled' });
    const notCancel = await jsonnet.callFunction('function(ctx) error "do not cancel"', { ctx: {} });
    expect(notCancel).toMatchObject({ kind: 'error', message: expect.stringContaining('do not cancel') });
    expect(await jsonnet.callFunction('function(ctx) error "Cancel"', { ctx: {} })).toMatchObject({
      kind: 'error',
    });
  });

  it('reports syntax errors with libjsonnet text and the given file name', async () => {
    const outcome = await jsonnet.callFunction('function(ctx) {', { ctx: {} }, { filename: 'body.jsonnet' });
    expect(outcome).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^STATIC ERROR: body\.jsonnet:1:/),
    });
  });

  it('reports runtime errors with libjsonnet text', async () => {
    const outcome = await jsonnet.callFunction('function(ctx) ctx.identity.nope', { ctx: { identity: {} } });
    expect(outcome).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('RUNTIME ERROR: field does not exist: nope'),
    });
    const noParameter = await jsonnet.callFunction('function(ctx) ctx', { other: 1 });
    expect(noParameter).toMatchObject({ kind: 'error', message: expect.stringContaining('RUNTIME ERROR') });
  });

  it('stops plain infinite recursion at libjsonnet stack bound', async () => {
    const outcome = await jsonnet.evaluate('local f(x) = f(x + 1); f(0)', {});
    expect(outcome).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('max stack frames exceeded'),
    });
  });

  it('passes values as JSON to top-level arguments and ext vars', async () => {
    const ctx = { s: 'quote " backslash \\ newline \n é 😀', n: 1.5, b: true, z: null, a: [1, { x: 2 }] };
    expect(
      await jsonnet.callFunction('function(ctx, extra) { ctx: ctx, extra: extra }', { ctx, extra: 7 }),
    ).toMatchObject({ kind: 'ok', value: { ctx, extra: 7 } });
    const mapper = `local claims = std.extVar('claims');
{ identity: { traits: { email: claims.email, [if 'name' in claims then 'name']: claims.name } } }`;
    expect(await jsonnet.evaluate(mapper, { claims: { email: 'a@example.com' } })).toMatchObject({
      kind: 'ok',
      value: { identity: { traits: { email: 'a@example.com' } } },
    });
    expect(await jsonnet.evaluate('std.extVar("missing")', {})).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('undefined external variable: missing'),
    });
  });

  it('refuses imports before evaluation', async () => {
    for (const source of [
      'importstr "/etc/hostname"',
      'function(ctx) (import "/etc/passwd")',
      'local x = importbin "package.json"; x',
    ]) {
      expect(await jsonnet.callFunction(source, { ctx: {} })).toMatchObject({
        kind: 'error',
        message: expect.stringContaining('imports are not allowed'),
      });
    }
    // The word in a string is not an import.
    expect(await jsonnet.evaluate('{ note: "import this" }', {})).toMatchObject({
      kind: 'ok',
      value: { note: 'import this' },
    });
  });

  it('refuses sources with a NUL character', async () => {
    expect(await jsonnet.evaluate('{} \u0000 importstr "/etc/hostname"', {})).toMatchObject({
      kind: 'error',
    });
  });

  it('refuses values that are not JSON', async () => {
    expect(await jsonnet.callFunction('function(ctx) ctx', { ctx: 1n })).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('"ctx" cannot be encoded as JSON'),
    });
  });

  it('resolves parallel calls', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => jsonnet.callFunction('function(ctx) ctx.i * 2', { ctx: { i } })),
    );
    expect(outcomes.map((o) => (o.kind === 'ok' ? o.value : o))).toEqual(
      Array.from({ length: 12 }, (_, i) => i * 2),
    );
    expect(jsonnet.stats().workers.length).toBeLessThanOrEqual(2);
  });

  it('kills a runaway template at the time bound and keeps working', async () => {
    const before = jsonnet.stats().workers.map((w) => w.pid);
    expect(await jsonnet.evaluate(RUNAWAY, {}, { timeoutMs: 300 })).toEqual({ kind: 'timeout' });
    expect(await jsonnet.callFunction(SEED, ctxFor('teacher'))).toMatchObject({ kind: 'ok' });
    // The worker that ran it is gone for good, not left spinning.
    const replaced = before.filter(
      (pid): pid is number => pid !== undefined && !jsonnet.stats().workers.some((w) => w.pid === pid),
    );
    expect(replaced.length).toBeGreaterThanOrEqual(1);
    await waitUntil(() => replaced.every((pid) => !alive(pid)));
  });
});

describe('Jsonnet evaluator limits', () => {
  it('kills a memory bomb and recovers', async () => {
    const jsonnet = createJsonnetEvaluator({ workers: 1, maxMemoryMb: 160, timeoutMs: 20_000 });
    try {
      const outcome = await jsonnet.callFunction(MEMORY_BOMB, { ctx: {} });
      expect(outcome).toMatchObject({ kind: 'resource_limit', message: expect.stringContaining('160 MiB') });
      expect(await jsonnet.callFunction(SEED, ctxFor('teacher'))).toMatchObject({ kind: 'ok' });
      // A huge range is cut off the same way, or by the time bound on a slow machine.
      const range = await jsonnet.evaluate('std.length(std.range(0, 1e9))', {}, { timeoutMs: 10_000 });
      expect(['resource_limit', 'timeout']).toContain(range.kind);
      expect(await jsonnet.evaluate('1 + 1', {})).toMatchObject({ kind: 'ok', value: 2 });
    } finally {
      await jsonnet.close();
    }
  });

  it('refuses output over the size bound', async () => {
    const jsonnet = createJsonnetEvaluator({ workers: 1, maxOutputBytes: 1000 });
    try {
      expect(await jsonnet.evaluate('std.repeat("a", 2000)', {})).toMatchObject({
        kind: 'error',
        message: expect.stringContaining('over the limit of 1000 bytes'),
      });
    } finally {
      await jsonnet.close();
    }
  });

  it('queues calls up to its bound and refuses past it', async () => {
    const jsonnet = createJsonnetEvaluator({ workers: 1, maxQueue: 2, timeoutMs: 400 });
    try {
      const calls = Array.from({ length: 4 }, () => jsonnet.evaluate(RUNAWAY, {}));
      const outcomes = await Promise.all(calls);
      // The first waits for the worker to start, the second queues, the others find the queue full.
      expect(outcomes.map((o) => o.kind)).toEqual(['timeout', 'timeout', 'error', 'error']);
      expect(outcomes[3]).toMatchObject({
        message: expect.stringContaining('too many Jsonnet evaluations waiting'),
      });
      expect(await jsonnet.evaluate('"still here"', {})).toMatchObject({ kind: 'ok', value: 'still here' });
    } finally {
      await jsonnet.close();
    }
  });

  it('close() kills its workers and settles what is pending', async () => {
    const jsonnet = createJsonnetEvaluator({ workers: 2, timeoutMs: 60_000 });
    expect(await jsonnet.evaluate('1', {})).toMatchObject({ kind: 'ok' });
    const running = jsonnet.evaluate(RUNAWAY, {});
    const queued = [jsonnet.evaluate(RUNAWAY, {}), jsonnet.evaluate(RUNAWAY, {})];
    await waitUntil(() => jsonnet.stats().workers.filter((w) => w.state === 'busy').length === 2);
    const pids = jsonnet.stats().workers.map((w) => w.pid);
    await jsonnet.close();
    for (const outcome of await Promise.all([running, ...queued])) {
      expect(outcome).toEqual({ kind: 'error', message: 'the Jsonnet evaluator was closed' });
    }
    for (const pid of pids) expect(pid !== undefined && alive(pid)).toBe(false);
    expect(jsonnet.stats().workers).toEqual([]);
    expect(await jsonnet.evaluate('1', {})).toMatchObject({ kind: 'error' });
  });

  it('rejects bad options', () => {
    expect(() => createJsonnetEvaluator({ workers: 0 })).toThrow(RangeError);
    expect(() => createJsonnetEvaluator({ timeoutMs: 1.5 })).toThrow(RangeError);
  });
});
