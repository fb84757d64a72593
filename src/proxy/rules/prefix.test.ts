import { describe, expect, it } from 'vitest';
import type { MatchingStrategy } from '../config.js';
import { compilePattern, delimiterIndices, translatePattern } from './pattern.js';
import { globPrefix, literalText, patternShape, regexpPrefix } from './prefix.js';

function shape(pattern: string, strategy: MatchingStrategy = 'regexp') {
  const delimiters = delimiterIndices(pattern);
  if (delimiters === undefined) throw new Error('unbalanced');
  return patternShape(pattern, delimiters, strategy);
}

describe('regexpPrefix', () => {
  it.each([
    ['.*', '', false],
    ['', '', true],
    ['users', 'users', true],
    ['users/[0-9]+', 'users/', false],
    // A quantified character may be absent (or repeated): it is not part of the prefix.
    ['ab*', 'a', false],
    ['ab?c', 'a', false],
    ['ab+', 'a', false],
    ['ab{2}', 'a', false],
    ['ab{', 'a', false],
    // Escaped punctuation stands for itself; other escapes end the prefix.
    ['v1\\.json', 'v1.json', true],
    ['a\\/b', 'a/b', true],
    ['a\\d', 'a', false],
    ['a\\x41', 'a', false],
    ['a\\Qb.c\\E', 'a', false],
    ['a\\.*', 'a', false],
    // An alternation anywhere: a branch may start with anything.
    ['api|admin', '', false],
    ['api/(v1|v2)', '', false],
    ['a\\|b', '', false],
    // Groups, classes, anchors and lookarounds end it.
    ['api/(v1)', 'api/', false],
    ['(?!admin).*', '', false],
    ['ab(?=c)', 'ab', false],
    ['^ab', '', false],
    ['ab$', 'ab', false],
    ['a[bc]', 'a', false],
    ['a.b', 'a', false],
    // Only printable ASCII is taken.
    ['caf\u00e9', 'caf', false],
  ])('%s → %j (whole: %s)', (expression, text, whole) => {
    expect(regexpPrefix(expression)).toEqual({ text, whole });
  });
});

describe('globPrefix', () => {
  it.each([
    ['**', '', false],
    ['*', '', false],
    ['users', 'users', true],
    ['users/*', 'users/', false],
    ['a?', 'a', false],
    ['a[bc]', 'a', false],
    ['a{b,c}', 'a', false],
    ['\\*', '*', true],
    ['a\\{b', 'a{b', true],
    // Outside an alternative, , and } are plain characters.
    ['a,b}', 'a,b}', true],
    ['m.n', 'm.n', true],
    ['caf\u00e9', 'caf', false],
  ])('%s → %j (whole: %s)', (glob, text, whole) => {
    expect(globPrefix(glob)).toEqual({ text, whole });
  });
});

describe('patternShape', () => {
  it('has no prefix when the pattern starts with a <.*> group', () => {
    expect(shape('<.*>')).toEqual({ prefix: '', rest: 'captured_line' });
    expect(shape('<.*>/users')).toEqual({ prefix: '' });
    expect(shape('<https?>://a.example/<.*>')).toEqual({ prefix: 'http' });
  });

  it('takes the literal text, then literal groups, up to the first non-literal part', () => {
    expect(shape('https://a.example/users')).toEqual({ prefix: 'https://a.example/users' });
    expect(shape('https://a.example/<api>/v1/<[0-9]+>')).toEqual({ prefix: 'https://a.example/api/v1/' });
    expect(shape('https://<[a-z]+>.example/<.*>')).toEqual({ prefix: 'https://' });
    expect(shape('https://a.example/<v1\\.>json<.*>')).toEqual({ prefix: 'https://a.example/v1.json' });
    expect(shape('https://a.example/<(v1|v2)>/<.*>')).toEqual({ prefix: 'https://a.example/' });
  });

  it('recognises prefix<.*> and prefix<**> as "the rest of the URL"', () => {
    expect(shape('https://a.example/<.*>')).toEqual({ prefix: 'https://a.example/', rest: 'captured_line' });
    expect(shape('https://a.example/<**>', 'glob')).toEqual({
      prefix: 'https://a.example/',
      rest: 'anything',
    });
    // Only as the one group, at the very end.
    expect(shape('https://a.example/<.*>/x')).toEqual({ prefix: 'https://a.example/' });
    expect(shape('https://<a>.example/<.*>')).toEqual({ prefix: 'https://a.example/' });
    expect(shape('https://a.example/<**>', 'regexp')).toEqual({ prefix: 'https://a.example/' });
    expect(shape('https://a.example/<.*>', 'glob')).toEqual({ prefix: 'https://a.example/.' });
  });

  it('reads glob groups with glob syntax', () => {
    expect(shape('https://<*>.example.com/<**>', 'glob')).toEqual({ prefix: 'https://' });
    expect(shape('https://app.example.com/<{users,groups/*}>', 'glob')).toEqual({
      prefix: 'https://app.example.com/',
    });
    expect(shape('myproxy.com/<m.n>', 'glob')).toEqual({ prefix: 'myproxy.com/m.n' });
  });

  it('percent-encodes literal text as the normalised URL carries it', () => {
    expect(literalText('/café x')).toBe('/caf%C3%A9%20x');
    expect(shape('https://a.example/café/<.*>').prefix).toBe('https://a.example/caf%C3%A9/');
  });
});

/**
 * The prefix test and the "rest of the URL" shortcut must never change an answer: every
 * pattern here is run on every URL here, compiled, and through its plain regexp.
 */
describe('compiled patterns answer as their regexp does', () => {
  const patterns: Array<[string, MatchingStrategy]> = [
    ['https://a.example/<.*>', 'regexp'],
    ['https://a.example/<.*>', 'glob'],
    ['https://a.example/<**>', 'glob'],
    ['https://a.example/<*>', 'glob'],
    ['https://a.example/users', 'regexp'],
    ['https://a.example/<api>/<.*>', 'regexp'],
    ['https://a.example/<ab*>/<.*>', 'regexp'],
    ['https://a.example/<v1\\.json>', 'regexp'],
    ['https://a.example/<(v1|v2)>/<[0-9]+>', 'regexp'],
    ['https://<[a-z]+>.example/<.*>', 'regexp'],
    ['<.*>', 'regexp'],
    ['<https?>://a.example/<.*>', 'regexp'],
    ['https://a.example/<(?!admin).*>', 'regexp'],
    ['https://a.example/café/<.*>', 'regexp'],
    ['https://a.example/<{users,groups/*}>', 'glob'],
    ['https://a.example/<\\*>', 'glob'],
  ];
  const urls = [
    'https://a.example/',
    'https://a.example/users',
    'https://a.example/users/1',
    'https://a.example/api/x',
    'https://a.example/a/x',
    'https://a.example/abbb/x',
    'https://a.example/v1.json',
    'https://a.example/v1xjson',
    'https://a.example/v2/42',
    'https://a.example/admin',
    'https://a.example/caf%C3%A9/x',
    'https://a.example/*',
    'https://a.example/groups/1',
    'https://a.example/a\nb',
    'https://a.example/a\rb',
    'https://b.example/',
    'http://a.example/x',
    'https://a.example',
    '',
  ];

  it.each(patterns)('%s (%s)', (pattern, strategy) => {
    const compiled = compilePattern(pattern, strategy);
    const translated = translatePattern(pattern, strategy);
    if (!compiled.ok || !translated.ok) throw new Error(`${pattern} did not compile`);
    const regexp = new RegExp(translated.source);
    for (const url of urls) {
      const match = regexp.exec(url);
      const expected =
        match === null ? undefined : strategy === 'regexp' ? match.slice(1).map((g) => g ?? '') : [];
      expect(compiled.pattern.exec(url), url).toEqual(expected);
      if (expected !== undefined) expect(url.startsWith(compiled.pattern.prefix), url).toBe(true);
    }
  });
});
