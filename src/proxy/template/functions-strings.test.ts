import { describe, expect, it } from 'vitest';
import { compileTemplate } from './index.js';

function render(source: string, data: unknown = {}): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) return `compile error: ${compiled.error.message}`;
  const result = compiled.template.execute(data);
  return result.ok ? result.value : `error: ${result.error.message}`;
}

const data = { Extra: { email: ' Alice@Example.COM ', n: 3, list: ['b', null, 'a'], tags: 'x,y,,z' } };

describe('sprig string functions', () => {
  it.each([
    // Sprig's documented examples.
    ['{{ trim "   hello    " }}', 'hello'],
    ['{{ trimAll "$" "$5.00" }}', '5.00'],
    ['{{ trimall "$" "$$5$" }}', '5'],
    ['{{ trimSuffix "-" "hello-" }}', 'hello'],
    ['{{ trimPrefix "-" "-hello" }}', 'hello'],
    ['{{ upper "hello" }} {{ lower "HELLO" }}', 'HELLO hello'],
    ['{{ title "hello world" }}', 'Hello World'],
    ['{{ untitle "Hello World" }}', 'hello world'],
    ['{{ repeat 3 "hello" }}', 'hellohellohello'],
    ['{{ substr 0 5 "hello world" }}', 'hello'],
    [
      '{{ substr 6 -1 "hello world" }} {{ substr -1 5 "hello world" }} {{ substr 6 99 "hello world" }}',
      'world hello world',
    ],
    ['{{ nospace "hello w o r l d" }}', 'helloworld'],
    ['{{ trunc 5 "hello world" }}|{{ trunc -5 "hello world" }}|{{ trunc 50 "hi" }}', 'hello|world|hi'],
    [
      '{{ abbrev 5 "hello world" }}|{{ abbrev 3 "hello world" }}|{{ abbrev 20 "hello" }}',
      'he...|hello world|hello',
    ],
    [
      '{{ contains "cat" "catch" }} {{ hasPrefix "cat" "catch" }} {{ hasSuffix "cat" "catch" }}',
      'true true false',
    ],
    ['{{ quote "hello" }} {{ squote "hello" }} {{ quote "a" 1 nil }}', '"hello" \'hello\' "a" "1"'],
    ['{{ cat "hello" "beautiful" "world" }} {{ cat "a" nil 2 }}', 'hello beautiful world a 2'],
    ['{{ indent 2 "a\\nb" }}|{{ nindent 2 "a" }}', '  a\n  b|\n  a'],
    ['{{ replace " " "-" "I Am Henry VIII" }}', 'I-Am-Henry-VIII'],
    ['{{ replace "" "-" "abc" }} {{ replace "$" "$$" "a$b" }}', '-a-b-c- a$$b'],
    [
      '{{ plural "one anchovy" "many anchovies" 1 }}, {{ plural "one anchovy" "many anchovies" 2 }}',
      'one anchovy, many anchovies',
    ],
    ['{{ split "$" "foo$bar$baz" }}', 'map[_0:foo _1:bar _2:baz]'],
    ['{{ (split "$" "foo$bar$baz")._1 }}', 'bar'],
    [
      '{{ splitList "$" "foo$bar$baz" }} {{ splitList "" "ab" }} {{ len (splitList "," "") }}',
      '[foo bar baz] [a b] 1',
    ],
    ['{{ splitn "$" 2 "foo$bar$baz" }} {{ splitn "$" 0 "a$b" }}', 'map[_0:foo _1:bar$baz] map[]'],
    ['{{ join "_" (list "a" "b" nil 1) }} {{ join "," "x" }} {{ join "," nil }}|', 'a_b_1 x |'],
    ['{{ toString 1 }} {{ toString 1.5 }} {{ toString true }} {{ toString nil }}', '1 1.5 true <nil>'],
    ['{{ toStrings (list 1 nil "a") }} {{ toStrings "x" }} {{ toStrings nil }}', '[1 a] [x] []'],
    // Pipelines: the string worked on is the last argument.
    ['{{ .Extra.email | trim | lower }}', 'alice@example.com'],
    ['{{ .Extra.tags | splitList "," | join ";" }}', 'x;y;;z'],
    ['{{ "user:alice" | trimPrefix "user:" | upper }}', 'ALICE'],
    ['{{ .Extra.list | join "," }}', 'b,a'],
    // Go's semantics: per code point case mapping, Unicode spaces, byte offsets.
    ['{{ upper "straße" }} {{ lower "İ" }}', 'STRAßE i'],
    ['{{ trim "\u00a0\u0085x\u3000" }}|{{ trim "\ufeffx" }}', 'x|\ufeffx'],
    ['{{ title "hello_world foo-bar ébc" }}', 'Hello_world Foo-Bar Ébc'],
    ['{{ trunc 2 "héllo" }}|{{ substr 0 3 "héllo" }}', 'h\ufffd|hé'],
    // goutils.DeleteWhiteSpace reads bytes: with a space removed, multi-byte characters break.
    ['{{ nospace "é x" }}|{{ nospace "é" }}', '\u00c3\u00a9x|é'],
  ])('%s', (source, expected) => {
    expect(render(source, data)).toBe(expected);
  });

  it.each([
    ['{{ upper 1 }}', 'expected string; found 1'],
    ['{{ upper .Extra.n }}', 'wrong type for value; expected string; got float64'],
    ['{{ upper .Extra.nope }}', 'wrong type for value; expected string; got interface {}'],
    ['{{ .Extra.nope | upper }}', 'invalid value; expected string'],
    ['{{ upper }}', 'wrong number of args for upper: want 1 got 0'],
    ['{{ trimPrefix "a" }}', 'wrong number of args for trimPrefix: want 2 got 1'],
    ['{{ repeat .Extra.n "a" }}', 'wrong type for value; expected int; got float64'],
    ['{{ repeat -1 "a" }}', 'error calling repeat: strings: negative Repeat count'],
    ['{{ substr 5 9 "abc" }}', 'error calling substr: runtime error: slice bounds out of range [5:3]'],
    [
      '{{ substr -1 9 "abc" }}',
      'error calling substr: runtime error: slice bounds out of range [:9] with length 3',
    ],
  ])('%s fails as in Go', (source, message) => {
    expect(render(source, data)).toBe(`error: ${message}`);
  });

  it('bounds what repeat builds', () => {
    const compiled = compileTemplate('{{ repeat 100000000 "abc" }}');
    if (!compiled.ok) throw compiled.error;
    const result = compiled.template.execute({});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('limit');
  });
});
