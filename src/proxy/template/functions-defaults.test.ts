import { describe, expect, it } from 'vitest';
import { compileTemplate } from './index.js';

function render(source: string, data: unknown = {}): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) return `compile error: ${compiled.error.message}`;
  const result = compiled.template.execute(data);
  return result.ok ? result.value : `error: ${result.error.message}`;
}

const data = {
  Subject: 'alice',
  Extra: { empty: '', zero: 0, flag: true, list: [], obj: { a: [1, 'x'], b: null }, html: '<a&b>', n: 1.5 },
};

describe('sprig defaults and JSON', () => {
  it.each([
    // Sprig's documented examples.
    ['{{ default "foo" .Extra.nope }} {{ .Extra.nope | default "foo" }}', 'foo foo'],
    [
      '{{ default "foo" "" }} {{ default "foo" 0 }} {{ default "foo" false }} {{ default "foo" .Extra.list }}',
      'foo foo foo foo',
    ],
    ['{{ default "foo" "bar" }} {{ default "foo" 1 }} {{ default "foo" }}', 'bar 1 foo'],
    [
      '{{ empty "" }} {{ empty 0 }} {{ empty .Extra.obj }} {{ empty .Extra.nope }} {{ empty (dict) }}',
      'true true false true true',
    ],
    [
      '{{ coalesce 0 1 2 }} {{ coalesce .Extra.nope .Extra.empty "x" }} {{ coalesce nil "" }}',
      '1 x <no value>',
    ],
    ['{{ all 1 "a" true }} {{ all 1 "" }} {{ any 0 "" "a" }} {{ any }}', 'true false true false'],
    [
      '{{ ternary "foo" "bar" true }} {{ ternary "foo" "bar" false }} {{ .Extra.flag | ternary "yes" "no" }}',
      'foo bar yes',
    ],
    ['{{ toJson .Extra.obj }}', '{"a":[1,"x"],"b":null}'],
    ['{{ toJson .Extra.html }} {{ toRawJson .Extra.html }}', '"\\u003ca\\u0026b\\u003e" "<a&b>"'],
    ['{{ toPrettyJson .Extra.obj }}', '{\n  "a": [\n    1,\n    "x"\n  ],\n  "b": null\n}'],
    ['{{ toPrettyJson (list) }} {{ toPrettyJson (dict) }} {{ toJson .Extra.nope }}', '[] {} null'],
    [
      '{{ (fromJson `{"a":{"b":[1,2]}}`).a.b }} {{ fromJson "1e3" }} {{ fromJson "nope" }}',
      '[1 2] 1000 <no value>',
    ],
    ['{{ $x := fromJson `{"a":1}` }}{{ $_ := set $x "b" 2 }}{{ toJson $x }}', '{"a":1,"b":2}'],
    // sprig's toJson drops Go's error (NaN) and gives "".
    ['[{{ toJson (float64 "NaN") }}]', '[]'],
  ])('%s', (source, expected) => {
    expect(render(source, data)).toBe(expected);
  });

  it.each([
    ['{{ ternary "a" "b" .Extra.nope }}', 'wrong type for value; expected bool; got interface {}'],
    ['{{ ternary "a" "b" "yes" }}', 'expected bool; found "yes"'],
    ['{{ mustToJson (float64 "NaN") }}', 'error calling mustToJson: json: unsupported value: NaN'],
    ['{{ mustFromJson "{" }}', 'error calling mustFromJson: invalid JSON input'],
    ['{{ fail "no way" }}', 'error calling fail: no way'],
  ])('%s fails as in Go', (source, message) => {
    expect(render(source, data)).toBe(`error: ${message}`);
  });
});
