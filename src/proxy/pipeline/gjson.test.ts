import { describe, expect, it } from 'vitest';
import { compileGjsonPath } from './gjson.js';

/** A path's value in `document`, as a rule compiled at load reads it (the path must compile). */
function get(document: unknown, path: string): unknown {
  const compiled = compileGjsonPath(path);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.get(document);
}

const doc = {
  friends: [
    { first: 'Dale', age: 44, nets: ['ig', 'fb'], admin: true },
    { first: 'Roger', age: 68, nets: ['fb'], admin: false },
    { first: 'Jane', age: 47, nets: ['ig'] },
  ],
  'fav.movie': 'Deer Hunter',
  tags: ['a*b', 'axb'],
};

describe('gjson paths', () => {
  const kratosSession = {
    id: 'sess-1',
    active: true,
    identity: { id: 'id-1', traits: { email: 'alice@example.com' } },
  };
  it.each([
    ['@this', kratosSession],
    ['identity.id', 'id-1'],
    ['identity.traits.email', 'alice@example.com'],
    ['identity.nope', undefined],
    ['constructor', undefined],
  ])('%s', (path, expected) => {
    expect(get(kratosSession, path)).toEqual(expected);
  });
  it('indexes arrays and escapes dots', () => {
    expect(get({ a: [{ 'b.c': 1 }] }, 'a.0.b\\.c')).toBe(1);
    expect(get({ a: [1, 2] }, 'a.#')).toBe(2);
  });

  it.each([
    ['friends.#.first', ['Dale', 'Roger', 'Jane']],
    ['friends.#(age>45).first', 'Roger'],
    ['friends.#(age>45)#.first', ['Roger', 'Jane']],
    ['friends.#(first%"D*").age', 44],
    ['friends.#(first!%"D*")#.first', ['Roger', 'Jane']],
    ['friends.#(nets.#(=="fb"))#.first', ['Dale', 'Roger']],
    ['friends.#(admin==true).first', 'Dale'],
    ['friends.#(admin).first', 'Dale'],
    ['friends.#(first=="Nobody").age', undefined],
    ['friends.#.first|1', 'Roger'],
    ['fr*.1.f?rst', 'Roger'],
    ['fav\\.movie', 'Deer Hunter'],
    ['friends.@this.0.first', 'Dale'],
  ])('gjson %s', (path, expected) => {
    expect(get(doc, path)).toEqual(expected);
  });

  it.each(['friends.@reverse', '[friends.0,fav]', '{a:friends}', '!true', '..0', 'friends.#(age>)'])(
    'refuses %s when the rule loads',
    (path) => {
      expect(compileGjsonPath(path)).toMatchObject({ ok: false });
    },
  );
});

describe('gjson queries', () => {
  // Strings compare as strings, numbers as numbers, whatever the query value's type.
  it.each([
    ['friends.#(first<"E")#.first', ['Dale']],
    ['friends.#(first<="Dale")#.first', ['Dale']],
    ['friends.#(first>"J")#.first', ['Roger', 'Jane']],
    ['friends.#(first>="Jane")#.first', ['Roger', 'Jane']],
    ['friends.#(first!="Dale")#.first', ['Roger', 'Jane']],
    ['friends.#(first==44)#.first', []],
    ['friends.#(age<47)#.first', ['Dale']],
    ['friends.#(age<=47)#.first', ['Dale', 'Jane']],
    ['friends.#(age>=47)#.first', ['Roger', 'Jane']],
    ['friends.#(age!=44)#.first', ['Roger', 'Jane']],
    ['friends.#(age=="44")#.first', ['Dale']],
    ['friends.#(age=44)#.first', ['Dale']],
    // A like operator on a number matches nothing, either way.
    ['friends.#(age%"4*")#.first', []],
    ['friends.#(age!%"4*")#.first', []],
  ])('%s', (path, expected) => {
    expect(get(doc, path)).toEqual(expected);
  });

  it('reads `\\` in a like pattern as an escape: `\\*` is a literal star', () => {
    expect(get(doc, 'tags.#(%"a*b")#')).toEqual(['a*b', 'axb']);
    expect(get(doc, 'tags.#(%"a\\\\*b")#')).toEqual(['a*b']);
    expect(get(doc, 'tags.#(%"a?b")#')).toEqual(['a*b', 'axb']);
  });
});

describe('gjson query syntax', () => {
  const items = { items: [{ n: 'a)b' }, { n: 'c==d' }, { 'n.x': 1, n: '(' }] };
  it.each([
    // Parentheses and operators inside the quoted value, an escaped dot in the query's path.
    ['items.#(n=="a)b").n', 'a)b'],
    ['items.#(n=="c==d").n', 'c==d'],
    ['items.#(n=="(").n', '('],
    ['items.#(n\\.x==1).n', '('],
    ['items.#(n\\.x).n', '('],
  ])('%s', (path, expected) => {
    expect(get(items, path)).toEqual(expected);
  });

  it.each(['items.#(n=="x"', 'items.#(n=="x")y', 'items.#()'])('refuses %s', (path) => {
    expect(compileGjsonPath(path)).toMatchObject({ ok: false });
  });
});

describe('gjson keys', () => {
  const keys = { ab: 2, 'a*': 1, abc: 3 };
  it.each([
    ['a?', 2],
    ['a*', 2],
    ['a\\*', 1],
    ['a?c', 3],
    ['a\\?', undefined],
  ])('%s', (path, expected) => {
    expect(get(keys, path)).toEqual(expected);
  });
});
