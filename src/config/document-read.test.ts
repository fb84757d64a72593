import { describe, expect, it } from 'vitest';
import { nonEmptyString, objectOrEmpty, stringList } from './document-read.js';

describe('lenient config reads', () => {
  it('folds absent, null and mistyped values into one answer each', () => {
    const doc = { a: { b: 1 } };
    expect(objectOrEmpty(doc)).toBe(doc);
    for (const value of [undefined, null, [], 'x', 1]) expect(objectOrEmpty(value)).toEqual({});

    expect(nonEmptyString('https://a.example')).toBe('https://a.example');
    // An empty string is unset, as Kratos reads it (an env var set to '' included).
    for (const value of ['', undefined, null, 3, {}]) expect(nonEmptyString(value)).toBeUndefined();

    expect(stringList(['a', 1, 'b', null])).toEqual(['a', 'b']);
    expect(stringList('a')).toEqual([]);
  });
});
