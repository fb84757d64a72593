import { describe, expect, it } from 'vitest';
import {
  encodeInvalidation,
  HEARTBEAT_TEXT,
  isHeartbeat,
  parseInvalidation,
} from './invalidation-message.js';

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

  it('reads a heartbeat as an invalidation of no keys in no namespace, told apart from invalidations', () => {
    const heartbeat = parseInvalidation(HEARTBEAT_TEXT);
    // What a replica without heartbeats makes of it: a well-formed message that drops nothing.
    expect(heartbeat).toEqual({ namespace: '', keys: [] });
    expect(heartbeat && isHeartbeat(heartbeat)).toBe(true);
    expect(isHeartbeat({ namespace: 'sessions', keys: [] })).toBe(false);
  });
});
