import { beforeAll, describe, expect, it } from 'vitest';
import type { HttpReceiver } from '../../../../test/support/http-receiver.js';
import { freePort } from '../../../../test/support/ports.js';
import {
  blockingHookDeps,
  sampleHookContext,
  useWebHookClient,
} from '../../../../test/support/web-hook-client.js';
import { parseWebHookConfig } from './config.js';
import { executeWebHook } from './execute.js';

const ctx = sampleHookContext;

describe('executeWebHook when the client gives up', () => {
  const client = useWebHookClient();
  const deps = blockingHookDeps(client.deps);
  let receiver: HttpReceiver;
  beforeAll(() => {
    receiver = client.receiver;
  });

  const hook = (url: string) => parseWebHookConfig({ url, method: 'POST', response: { parse: true } });

  it('answers 500 with the client\'s "giving up" error, as Kratos, after a 5xx on every attempt', async () => {
    receiver.script('/down', [{ status: 503, body: {} }]);
    const outcome = await executeWebHook(deps, hook(`${receiver.url}/down?key=secret`), ctx, 'test');
    expect(receiver.to('/down')).toHaveLength(3);
    if (outcome.kind !== 'failed') throw new Error(`expected a failure, got ${outcome.kind}`);
    // herodot's answer for a plain error: no id, no reason; the target named by its origin only.
    expect(outcome.error.toJSON()).toEqual({
      error: {
        code: 500,
        status: 'Internal Server Error',
        message: `POST ${receiver.url} giving up after 3 attempt(s)`,
      },
    });
  });

  it("answers 500, as Kratos's plain error, when the body template fails, and sends nothing", async () => {
    const failing = `base64://${Buffer.from('function(ctx) error "no such trait"').toString('base64')}`;
    const config = parseWebHookConfig({
      url: `${receiver.url}/template`,
      method: 'POST',
      body: failing,
      response: { parse: true },
    });
    const outcome = await executeWebHook(deps, config, ctx, 'test');
    if (outcome.kind !== 'failed') throw new Error(`expected a failure, got ${outcome.kind}`);
    const body = outcome.error.toJSON().error;
    expect(body).toMatchObject({ code: 500, status: 'Internal Server Error' });
    expect(body.message).toContain('no such trait');
    expect(receiver.to('/template')).toHaveLength(0);
  });

  it("lets the flow go on when a response.ignore hook's body template fails: logged, nothing queued", async () => {
    const failing = `base64://${Buffer.from('function(ctx) { x: error "boom" }').toString('base64')}`;
    const config = parseWebHookConfig({
      url: `${receiver.url}/ignored`,
      method: 'POST',
      body: failing,
      response: { ignore: true },
    });
    // As Kratos, which builds an ignored hook's request in the goroutine it sends it from and only
    // logs what goes wrong there. (The outbox of these deps fails the test if touched.)
    const outcome = await executeWebHook(deps, config, ctx, 'test');
    expect(outcome.kind).toBe('cancelled');
    expect(receiver.to('/ignored')).toHaveLength(0);
  });

  it('answers 500 with the last error when the target cannot be connected to', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const outcome = await executeWebHook(deps, hook(`${nobody}/hook`), ctx, 'test');
    if (outcome.kind !== 'failed') throw new Error(`expected a failure, got ${outcome.kind}`);
    const body = outcome.error.toJSON().error;
    expect(body).toMatchObject({ code: 500, status: 'Internal Server Error' });
    expect(body.id).toBeUndefined();
    expect(body.reason).toBeUndefined();
    expect(body.message.startsWith(`POST ${nobody} giving up after 3 attempt(s): `)).toBe(true);
  });

  it('still answers 502 for a 4xx, which is not retried', async () => {
    receiver.script('/refuses', [{ status: 409, body: {} }]);
    const outcome = await executeWebHook(
      deps,
      parseWebHookConfig({ url: `${receiver.url}/refuses`, method: 'POST' }),
      ctx,
      'test',
    );
    expect(receiver.to('/refuses')).toHaveLength(1);
    if (outcome.kind !== 'failed') throw new Error(`expected a failure, got ${outcome.kind}`);
    expect(outcome.error.code).toBe(502);
  });
});
