import { describe, expect, it } from 'vitest';
import { encodeInvalidation, parseInvalidation } from './invalidation-message.js';

describe('invalidation messages', () => {
  it('round-trips a namespace and its keys', () => {
    const text = encodeInvalidation('sessions', ['a', 'b:c']);
    expect(JSON.parse(text)).toEqual({ ns: 'sessions', keys: ['a', 'b:c'] });
    expect(parseInvalidation(text)).toEqual({ namespace: 'sessions', keys: ['a', 'b:c'] });
  });

  it.each([
    ['not json', '{'],
    ['not an object', '"sessions"'],
    ['null', 'null'],
    ['no namespace', '{"keys":["a"]}'],
    ['keys not a list', '{"ns":"sessions","keys":"a"}'],
    ['a key not a string', '{"ns":"sessions","keys":["a",1]}'],
  ])('rejects %s', (_name, text) => {
    expect(parseInvalidation(text)).toBeUndefined();
  });
});
