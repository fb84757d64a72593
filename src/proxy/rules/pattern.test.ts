import { describe, expect, it } from 'vitest';
import { linearRegexpAvailable } from './linear.js';
import { compilePattern, delimiterIndices } from './pattern.js';

function compiled(pattern: string, strategy: 'regexp' | 'glob' = 'regexp') {
  const result = compilePattern(pattern, strategy);
  if (!result.ok) throw new Error(result.message);
  return result.pattern;
}

describe('regexp strategy', () => {
  it('matches the whole URL and exposes the <...> groups', () => {
    const pattern = compiled('https://exam-taking.example.com/<.*>');
    expect(pattern.exec('https://exam-taking.example.com/')).toEqual(['']);
    expect(pattern.exec('https://exam-taking.example.com/a/b')).toEqual(['a/b']);
    expect(pattern.exec('https://exam-taking.example.com.evil.com/')).toBeUndefined();
    expect(pattern.exec('http://exam-taking.example.com/')).toBeUndefined();
    expect(pattern.exec('xhttps://exam-taking.example.com/')).toBeUndefined();
  });

  it('treats text outside <...> literally (dots are not wildcards)', () => {
    const pattern = compiled('https://api.example.com/users');
    expect(pattern.exec('https://api.example.com/users')).toEqual([]);
    expect(pattern.exec('https://apiXexample.com/users')).toBeUndefined();
    expect(pattern.exec('https://api.example.com/users/1')).toBeUndefined();
  });

  it('returns inner groups too, in order, empty for groups that did not take part', () => {
    const pattern = compiled('https://<[a-z]+>.example.com/<(v1|v2)?/(?P<id>[0-9]+)>');
    expect(pattern.exec('https://app.example.com/v1/42')).toEqual(['app', 'v1/42', 'v1', '42']);
    expect(pattern.exec('https://app.example.com//42')).toEqual(['app', '/42', '', '42']);
  });

  // Oathkeeper's groups are regexp2's (ladon's CompileRegex wraps each <...> in an unnamed group,
  // compiled with regexp2.RE2): unnamed groups in the order of their "(", then the named ones in
  // the order their names first appear (.NET numbering, regexp2's assignNameSlots).
  it('numbers named groups after every unnamed group, as regexp2 does', () => {
    expect(compiled('http://named.example/<(?P<id>\\d+)>/<.*>').exec('http://named.example/12/rest')).toEqual(
      ['12', 'rest', '12'],
    );
    expect(compiled('https://a.example/<(?P<id>\\d+)>/<(a|b)>').exec('https://a.example/12/a')).toEqual([
      '12',
      'a',
      'a',
      '12',
    ]);
    // Several names: in the order they first appear, wherever the unnamed groups are.
    expect(
      compiled('https://a.example/<(?P<b>[a-z]+)-([0-9]+)-(?<a>[a-z]+)>').exec('https://a.example/x-1-y'),
    ).toEqual(['x-1-y', '1', 'x', 'y']);
    // A named group that did not take part is empty, in its place.
    expect(compiled('https://a.example/<(?P<a>x)?y>').exec('https://a.example/y')).toEqual(['y', '']);
  });

  it('gives a repeated name one group, holding its last capture, as regexp2 does', () => {
    const alternatives = compiled('https://a.example/<(?P<n>a)|(?P<n>b)>/<(c)>');
    expect(alternatives.exec('https://a.example/b/c')).toEqual(['b', 'c', 'c', 'b']);
    expect(alternatives.exec('https://a.example/a/c')).toEqual(['a', 'c', 'c', 'a']);
    expect(compiled('https://a.example/<(?P<n>a)(?P<m>-)(?P<n>b)>').exec('https://a.example/a-b')).toEqual([
      'a-b',
      'b',
      '-',
    ]);
    // The enclosing group closes last.
    expect(compiled('https://a.example/<(?P<n>x(?P<n>y))>').exec('https://a.example/xy')).toEqual([
      'xy',
      'xy',
    ]);
  });

  it('is case-sensitive on the path', () => {
    const pattern = compiled('https://app.example.com/admin<.*>');
    expect(pattern.exec('https://app.example.com/ADMIN')).toBeUndefined();
  });

  it('supports a negative lookahead, the common "everything but" rule', () => {
    const pattern = compiled('https://app.example.com/<(?!admin(?:/|$)).*>');
    expect(pattern.exec('https://app.example.com/users')).toEqual(['users']);
    expect(pattern.exec('https://app.example.com/administrator')).toEqual(['administrator']);
    // A group inside a negative lookahead is still numbered (as in regexp2): it captures ''.
    expect(compiled('https://app.example.com/<(?!(admin)).*>').exec('https://app.example.com/x')).toEqual([
      'x',
      '',
    ]);
    expect(pattern.exec('https://app.example.com/admin')).toBeUndefined();
    expect(pattern.exec('https://app.example.com/admin/x')).toBeUndefined();
  });

  it('percent-encodes literal text the normalised URL carries encoded', () => {
    expect(compiled('https://a.example/café/<.*>').exec('https://a.example/caf%C3%A9/x')).toEqual(['x']);
  });

  it('counts nested delimiters as Oathkeeper does', () => {
    expect(delimiterIndices('a<b>c<d<e>>')).toEqual([1, 4, 5, 11]);
    expect(delimiterIndices('a<b')).toBeUndefined();
    expect(delimiterIndices('a>b')).toBeUndefined();
    expect(compilePattern('https://a.example/<(?<!x)y>', 'regexp')).toMatchObject({ ok: false });
    expect(compilePattern('https://a.example/<(?U)admin>', 'regexp')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^in <\(\?U\)admin>: the inline flag U is not supported/),
    });
  });

  describe('cost', () => {
    it('runs lookaround-free patterns on the linear engine', () => {
      expect(linearRegexpAvailable()).toBe(true);
      expect(compiled('https://a.example/<(a+)+>').engine).toBe('linear');
      expect(compiled('https://<([a-z0-9-]+\\.)*>example.com/<.*>').engine).toBe('linear');
      expect(compiled('https://a.example/<(?!admin).*>').engine).toBe('backtracking');
    });

    it('matches attacker URLs against explosive patterns in linear time', () => {
      const evil = `https://a.example/${'a'.repeat(3000)}!`;
      const slashes = `https://a.example/${'/'.repeat(3000)}z`;
      const started = performance.now();
      expect(compiled('https://a.example/<(a+)+>').exec(evil)).toBeUndefined();
      expect(compiled('https://a.example/<(a|aa)*>').exec(evil)).toBeUndefined();
      expect(compiled('https://a.example/<.*>/<.*>/<.*>/<.*>/end').exec(slashes)).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(500);
    });

    it('refuses lookaround patterns that could backtrack badly', () => {
      expect(compilePattern('https://a.example/<(?!x)(a+)+>', 'regexp')).toMatchObject({
        ok: false,
        message: expect.stringMatching(/repeated group/),
      });
      expect(compilePattern('https://a.example/<(?!x).*>/<.*>/<.*>', 'regexp')).toMatchObject({
        ok: false,
        message: expect.stringMatching(/more than 2 unbounded/),
      });
    });

    it('keeps an accepted lookaround pattern fast on a long URL', () => {
      const pattern = compiled('https://a.example/<(?!admin).*>/<.*>/end');
      const started = performance.now();
      expect(pattern.exec(`https://a.example/${'/'.repeat(4000)}z`)).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(500);
    });
  });
});

describe('glob strategy', () => {
  it.each([
    ['https://<*>.example.com/<**>', ['https://app.example.com/a/b.c'], ['https://a.b.example.com/']],
    [
      'https://app.example.com/<*>',
      ['https://app.example.com/users'],
      ['https://app.example.com/a/b', 'https://app.example.com/a.b'],
    ],
    [
      'https://app.example.com/<?>',
      ['https://app.example.com/x'],
      ['https://app.example.com/xy', 'https://app.example.com/.'],
    ],
    ['https://app.example.com/<[a-c]>', ['https://app.example.com/b'], ['https://app.example.com/d']],
    [
      'https://app.example.com/<[!a-c]>',
      ['https://app.example.com/d', 'https://app.example.com/.'],
      ['https://app.example.com/a'],
    ],
    [
      'https://app.example.com/<{users,groups/*}>',
      ['https://app.example.com/users', 'https://app.example.com/groups/1'],
      ['https://app.example.com/groups/1/2'],
    ],
    ['https://app.example.com/<\\*>', ['https://app.example.com/*'], ['https://app.example.com/a']],
    ['myproxy.com/<m.n>', ['myproxy.com/m.n'], ['myproxy.com/mxn']],
  ])('%s', (pattern, matching, failing) => {
    const glob = compiled(pattern, 'glob');
    for (const url of matching) expect(glob.exec(url), url).toEqual([]);
    for (const url of failing) expect(glob.exec(url), url).toBeUndefined();
  });

  it('refuses an unterminated class or alternative', () => {
    expect(compilePattern('https://a.example/<[ab>', 'glob')).toMatchObject({ ok: false });
    expect(compilePattern('https://a.example/<{a,b>', 'glob')).toMatchObject({ ok: false });
  });
});
