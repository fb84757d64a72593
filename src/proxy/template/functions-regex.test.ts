import { describe, expect, it } from 'vitest';
import { compileTemplate } from './index.js';

function render(source: string, data: unknown = {}): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) return `compile error: ${compiled.error.message}`;
  const result = compiled.template.execute(data);
  return result.ok ? result.value : `error: ${result.error.message}`;
}

const data = { Extra: { email: 'alice@example.com' }, Path: '/api/v1/users/42' };

describe('sprig regex functions (Go RE2)', () => {
  it.each([
    // Sprig's documented examples.
    ['{{ regexMatch "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\\\.[A-Za-z]{2,}$" "test@acme.com" }}', 'true'],
    [
      '{{ regexFindAll "[2,4,6,8]" "123456789" -1 }} {{ regexFindAll "[2,4,6,8]" "123456789" 2 }}',
      '[2 4 6 8] [2 4]',
    ],
    ['{{ regexFind "[a-zA-Z][1-9]" "abcd1234" }}|{{ regexFind "x" "abc" }}|', 'd1||'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's ${1} replacement syntax.
    ['{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}', '-W-xxW-'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's ${1} replacement syntax.
    ['{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}', '-${1}-${1}-'],
    ['{{ regexSplit "z+" "pizza" -1 }} {{ regexSplit "z+" "pizza" 1 }}', '[pi a] [pizza]'],
    ['{{ regexQuoteMeta "1.5-2.0?" }}', '1\\.5-2\\.0\\?'],
    // Go's Regexp examples: Expand's names, empty matches, Split's n.
    [
      '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }}|{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1" }}',
      '---|--xx-',
    ],
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's ${name} replacement syntax.
      '{{ regexReplaceAll "a(?P<x>x*)b" "-axb-" "[${x}]" }} {{ regexReplaceAll "b" "abc" "$$" }}',
      '-[x]- a$c',
    ],
    ['{{ regexReplaceAll "a*" "baaac" "X" }}', 'XbXcX'],
    ['{{ regexSplit "a*" "abaabaccadaaae" 5 }}', '[ b b c cadaaae]'],
    ['{{ regexFindAll "a*" "baaac" -1 }}', '[ aaa ]'],
    [
      '{{ regexFindAll "x" "abc" -1 }} {{ regexFindAll "a" "abc" 0 }} {{ regexSplit "a" "abc" 0 }} {{ toJson (regexSplit "a" "abc" 0) }}',
      '[] [] [] null',
    ],
    // RE2 details the translation keeps: `.` stops at a newline, \s is ASCII.
    ['{{ regexMatch "^a.c$" "a\\nc" }} {{ regexMatch "^\\\\s$" "\\u00a0" }}', 'false false'],
    // Request data in pipelines.
    ['{{ .Extra.email | regexFind "@.*$" }}', '@example.com'],
    ['{{ regexReplaceAll "^/api/v[0-9]+" .Path "" }}', '/users/42'],
    ['{{ if regexMatch "^/api/" .Path }}api{{ end }}', 'api'],
    ['{{ regexMatch "[" "x" }}', 'false'],
  ])('%s', (source, expected) => {
    expect(render(source, data)).toBe(expected);
  });

  it.each([
    [
      '{{ regexFind "[" "x" }}',
      /^error: error calling regexFind: regexp: Compile\(`\[`\): error parsing regexp: /,
    ],
    ['{{ mustRegexMatch "(" "x" }}', /^error: error calling mustRegexMatch: error parsing regexp: /],
    [
      '{{ mustRegexFind "a(?=b)" "ab" }}',
      /^error: error calling mustRegexFind: error parsing regexp: invalid or unsupported Perl syntax/,
    ],
    ['{{ regexReplaceAll "(?U)a+" "aa" "b" }}', /^error: error calling regexReplaceAll: regexp: Compile/],
  ])('%s fails (Go regexp rejects it, or the translation does not support it)', (source, message) => {
    expect(render(source, data)).toMatch(message);
  });

  it('takes the inline flags i, s and m, as Go regexp does', () => {
    expect(render('{{ regexReplaceAll "(?i)a" "xAy" "b" }}', data)).toBe('xby');
    expect(render('{{ regexMatch "^(?i:ab)c$" "ABc" }}', data)).toBe('true');
    expect(render('{{ regexMatch "^(?i:ab)c$" "ABC" }}', data)).toBe('false');
  });

  it('runs a pattern that would backtrack catastrophically in linear time', () => {
    const started = Date.now();
    expect(render('{{ regexMatch "^(a+)+$" .S }}', { S: `${'a'.repeat(5000)}!` })).toBe('false');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
