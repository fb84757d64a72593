import { afterAll, describe, expect, it } from 'vitest';
import { createJsonnetEvaluator } from '../../../jsonnet/evaluator.js';
import { createOutboundHttp } from '../../../kernel/http-client.js';
import { parseWebHookConfig } from './config.js';
import { buildWebHookRequest } from './request.js';
import { createTemplateSource } from './templates.js';

const base64 = (text: string) => `base64://${Buffer.from(text).toString('base64')}`;

describe('buildWebHookRequest', () => {
  const jsonnet = createJsonnetEvaluator({ workers: 1 });
  const templates = createTemplateSource({
    cwd: process.cwd(),
    http: createOutboundHttp({ disallowPrivateIpRanges: false }),
  });
  afterAll(() => jsonnet.close());

  const build = (body: string, headers: Record<string, string>) =>
    buildWebHookRequest(
      { jsonnet, templates },
      parseWebHookConfig({ url: 'https://hook.test/x', body: base64(body), headers }),
      { flow: { id: 'f' } } as never,
    );

  it('sends a form body form-encoded, as Kratos, and JSON otherwise', async () => {
    const form = await build('function(ctx) { b: "2 3", a: ctx.flow.id }', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(form).toMatchObject({ kind: 'request', request: { body: 'a=f&b=2+3' } });
    const json = await build('function(ctx) { a: ctx.flow.id }', {});
    expect(json).toMatchObject({
      kind: 'request',
      request: { body: '{\n   "a": "f"\n}\n', headers: { 'Content-Type': 'application/json' } },
    });
  });

  it('refuses a form body that is not an object of strings, and "cancel" in one', async () => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    expect(await build('function(ctx) { n: 1 }', headers)).toMatchObject({ kind: 'failed' });
    expect(await build('function(ctx) error "cancel"', headers)).toMatchObject({ kind: 'failed' });
    expect(await build('function(ctx) error "cancel"', {})).toEqual({ kind: 'cancelled' });
  });
});
