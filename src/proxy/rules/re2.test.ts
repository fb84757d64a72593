import { describe, expect, it } from 'vitest';
import { Re2SyntaxError, translateRe2 } from './re2.js';

function full(pattern: string): RegExp {
  return new RegExp(`^(?:${translateRe2(pattern).source})$`);
}

describe('translateRe2', () => {
  it.each([
    ['.*', ['', 'anything/at/all'], ['a\nb']],
    ['[a-z0-9-]+', ['abc-1'], ['ABC', 'a/b']],
    ['[]a]+', [']a]'], ['b']],
    ['[^]a]', ['b'], [']', 'a']],
    ['[[:alpha:]]+', ['abcXYZ'], ['a1', ':']],
    ['[[:digit:][:upper:]]+', ['A1'], ['a']],
    ['\\d{2,3}', ['12', '123'], ['1', '1234']],
    ['a{,2}', ['a{,2}'], ['aa']],
    ['x{2}', ['xx'], ['x']],
    ['\\s', [' ', '\t'], ['\u000b', '\u00a0']],
    ['\\S+', ['abc'], ['a b']],
    ['\\Qa.b*\\E', ['a.b*'], ['axbb']],
    ['\\x41\\x{42}', ['AB'], ['ab']],
    ['\\-\\#\\:\\<', ['-#:<'], []],
    ['(?P<id>[0-9]+)/(?<name>[a-z]+)', ['12/ab'], ['ab/12']],
    ['(?:v1|v2)/x', ['v1/x', 'v2/x'], ['v3/x']],
    ['(?!admin)[a-z]+', ['users'], ['admin', 'administrator']],
    ['[a-z]+(?<!\\.bak)', ['file'], []],
    ['\\Afoo\\z', ['foo'], ['foox']],
    ['a\\.b', ['a.b'], ['axb']],
    ['{', ['{'], []],
    // Inline flags, as regexp2 (Oathkeeper) scopes them: to the end of the enclosing group.
    ['(?i)admin', ['admin', 'ADMIN', 'AdMiN'], ['admim']],
    ['(?i:ab)c', ['ABc', 'abc'], ['abC']],
    ['(?i:ab)+c', ['aBAbc', 'abc'], ['abC', 'c']],
    ['(?i:a(?-i:b))c', ['Abc'], ['ABc', 'AbC']],
    ['a(?i)b', ['aB', 'ab'], ['AB']],
    ['(x(?i)y)z', ['xYz'], ['xYZ', 'XYz']],
    ['(?i)a(?-i)b', ['Ab'], ['AB']],
    ['(?i)[a-c]+', ['aBc'], ['d']],
    ['(?i)[^a-c]', ['d'], ['B']],
    ['(?i)[[:lower:]]', ['A', 'a'], ['1']],
    ['(?i)\\x41\\Qb.\\E', ['aB.', 'Ab.'], ['aBx']],
    ['(?i)é', ['é', 'É'], ['e']],
    ['(?s)a.b', ['a\nb'], []],
    ['a.b', [], ['a\nb']],
    ['(?m)a$\\nb', ['a\nb'], []],
  ])('%s', (pattern, matching, failing) => {
    const regexp = full(pattern);
    for (const text of matching) expect(regexp.test(text), `${pattern} ~ ${text}`).toBe(true);
    for (const text of failing) expect(regexp.test(text), `${pattern} !~ ${text}`).toBe(false);
  });

  it.each([
    ['(?U)a+', /the inline flag U is not supported/],
    ['(?x)a b', /the inline flag x is not supported/],
    ['(?i', /missing \)|not supported/],
    ['(?i)*a', /missing argument/],
    ['(?>a+)', /atomic/],
    ['(a)\\1', /backreferences/],
    ['\\pL', /Unicode classes/],
    ['a*+', /nested repetition/],
    ['a**', /nested repetition/],
    ['*a', /missing argument/],
    ['(a', /missing \)/],
    ['(?i:a', /missing \)/],
    ['a)', /unexpected \)/],
    ['[a', /missing \]/],
    ['[z-a]', /invalid class range/],
    ['a{1001}', /invalid repeat count/],
    ['\\C', /invalid escape/],
    ['[[:nope:]]', /unknown class/],
  ])('refuses %s', (pattern, message) => {
    expect(() => translateRe2(pattern)).toThrow(Re2SyntaxError);
    expect(() => translateRe2(pattern)).toThrow(message);
  });

  it('reports what the cost guard needs', () => {
    expect(translateRe2('(?!admin).*')).toMatchObject({
      lookaround: true,
      nestedRepetition: false,
      unbounded: 1,
    });
    expect(translateRe2('(a+)+')).toMatchObject({ nestedRepetition: true, unbounded: 2 });
    expect(translateRe2('(a|b)*')).toMatchObject({ nestedRepetition: true });
    expect(translateRe2('(?i:a|b)*')).toMatchObject({ nestedRepetition: true });
    expect(translateRe2('(?i:(?=a)b)')).toMatchObject({ lookaround: true });
    expect(translateRe2('(ab)*c{2,}')).toMatchObject({ nestedRepetition: false, unbounded: 2 });
  });
});
