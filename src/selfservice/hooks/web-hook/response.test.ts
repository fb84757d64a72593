import { describe, expect, it } from 'vitest';
import { parseWebHookConfig } from './config.js';
import { parseWebHookResponse } from './response.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('parseWebHookResponse', () => {
  it('turns a parse hook 4xx into messages on the nodes its pointers name', () => {
    const parsed = parseWebHookResponse(
      422,
      json({
        messages: [
          {
            instance_ptr: '#/traits/email',
            messages: [{ id: 1, text: 'no', type: 'error', context: { a: 1 } }],
          },
          { instance_ptr: '#/', messages: [{ id: 2, text: 'whole form', type: 'info' }] },
        ],
      }),
      true,
    );
    expect(parsed).toEqual({
      kind: 'validation',
      fields: { 'traits.email': [{ id: 1, text: 'no', type: 'error', context: { a: 1 } }] },
      form: [{ id: 2, text: 'whole form', type: 'info' }],
    });
  });

  it('fails a 4xx without messages, any 4xx of a plain hook, and a 200 that is not JSON', () => {
    expect(parseWebHookResponse(400, json({}), true).kind).toBe('failed');
    expect(parseWebHookResponse(422, json({ messages: [] }), false).kind).toBe('failed');
    expect(parseWebHookResponse(500, Buffer.from('oops'), true).kind).toBe('failed');
    expect(parseWebHookResponse(200, Buffer.from('<html>'), true).kind).toBe('failed');
  });

  it('reads an identity patch from a parse hook 200, keeping only what it sets', () => {
    expect(
      parseWebHookResponse(200, json({ identity: { metadata_public: { plan: 'gold' }, traits: {} } }), true),
    ).toEqual({ kind: 'ok', patch: { metadata_public: { plan: 'gold' } } });
    expect(parseWebHookResponse(204, Buffer.alloc(0), true)).toEqual({ kind: 'ok' });
    // external_id is set whenever the key is there; null and "" clear it, anything else fails.
    expect(parseWebHookResponse(200, json({ identity: { external_id: 'crm-42' } }), true)).toEqual({
      kind: 'ok',
      patch: { external_id: 'crm-42' },
    });
    for (const cleared of [null, ''])
      expect(parseWebHookResponse(200, json({ identity: { external_id: cleared } }), true)).toEqual({
        kind: 'ok',
        patch: { external_id: null },
      });
    expect(parseWebHookResponse(200, json({ identity: { external_id: 42 } }), true).kind).toBe('failed');
    // A plain hook's answer is not read.
    expect(parseWebHookResponse(200, Buffer.from('<html>'), false)).toEqual({ kind: 'ok' });
  });

  it('reads only a 4xx for can_interrupt alone, as Kratos: a 200 body is not read, JSON or not', () => {
    const canInterrupt = parseWebHookConfig({ url: 'https://hook.test', can_interrupt: true });
    expect([canInterrupt.parse, canInterrupt.parseSuccess]).toEqual([true, false]);
    const read = (status: number, body: Buffer) =>
      parseWebHookResponse(status, body, canInterrupt.parse, canInterrupt.parseSuccess);
    expect(read(200, Buffer.from('OK'))).toEqual({ kind: 'ok' });
    expect(read(200, json({ identity: { metadata_public: { plan: 'gold' } } }))).toEqual({ kind: 'ok' });
    expect(
      read(403, json({ messages: [{ instance_ptr: '#', messages: [{ id: 1, text: 'no' }] }] })).kind,
    ).toBe('validation');
    const parse = parseWebHookConfig({ url: 'https://hook.test', response: { parse: true } });
    expect([parse.parse, parse.parseSuccess]).toEqual([true, true]);
  });
});
