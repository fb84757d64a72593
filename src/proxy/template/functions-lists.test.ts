import { describe, expect, it } from 'vitest';
import { compileTemplate } from './index.js';

function render(source: string, data: unknown = {}): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) return `compile error: ${compiled.error.message}`;
  const result = compiled.template.execute(data);
  return result.ok ? result.value : `error: ${result.error.message}`;
}

const data = { Extra: { roles: ['admin', 'user', 'admin'], nums: [1, 2], empty: [], name: 'x' } };

describe('sprig list functions', () => {
  it.each([
    // Sprig's documented examples.
    ['{{ list 1 2 3 }} {{ tuple "a" nil }}', '[1 2 3] [a <nil>]'],
    ['{{ first (list 1 2 3) }} {{ last (list 1 2 3) }}', '1 3'],
    ['{{ rest (list 1 2 3) }} {{ initial (list 1 2 3) }}', '[2 3] [1 2]'],
    [
      '{{ append (list 1 2 3) 6 }} {{ push (list 1) 2 }} {{ prepend (list 1 2 3) 0 }}',
      '[1 2 3 6] [1 2] [0 1 2 3]',
    ],
    ['{{ concat (list 1 2 3) (list 4 5) (list 6) }}', '[1 2 3 4 5 6]'],
    ['{{ reverse (list 1 2 3) }}', '[3 2 1]'],
    ['{{ uniq (list 1 1 1 2) }}', '[1 2]'],
    ['{{ without (list 1 2 3 4) 3 }} {{ without (list 1 2 3 4) 1 3 }}', '[1 2 4] [2 4]'],
    ['{{ has 4 (list 1 2 3 4) }} {{ has "x" (list 1 2) }} {{ has 1 nil }}', 'true false false'],
    ['{{ compact (list 1 "a" "foo" "" 0 nil false) }}', '[1 a foo]'],
    [
      '{{ slice (list 1 2 3 4 5) 1 3 }} {{ slice (list 1 2 3) 1 }} {{ slice (list 1 2 3) }}',
      '[2 3] [2 3] [1 2 3]',
    ],
    ['{{ chunk 2 (list 1 2 3 4 5) }} {{ chunk 2 (list) }}', '[[1 2] [3 4] [5]] []'],
    ['{{ sortAlpha (list "c" "a" "B") }} {{ sortAlpha "x" }}', '[B a c] [x]'],
    [
      '{{ until 5 }} {{ until -3 }} {{ untilStep 3 6 2 }} {{ untilStep 6 3 -1 }}',
      '[0 1 2 3 4] [0 -1 -2] [3 5] [6 5 4]',
    ],
    [
      '{{ seq 5 }}|{{ seq -3 }}|{{ seq 0 2 }}|{{ seq 2 -2 }}|{{ seq 0 2 10 }}|{{ seq 0 -2 -5 }}|{{ seq }}',
      '1 2 3 4 5|1 0 -1 -2 -3|0 1 2|2 1 0 -1 -2|0 2 4 6 8 10|0 -2 -4|',
    ],
    // Empty lists: nil results print [] and encode as null, as Go's nil slices do.
    [
      '{{ first (list) }}|{{ rest (list) }}|{{ toJson (rest (list)) }}|{{ toJson (list) }}',
      '<no value>|[]|null|[]',
    ],
    ['{{ print (first (list)) }}|{{ concat }}|{{ slice (list) 0 }}', '|[]|<no value>'],
    // Request data.
    ['{{ .Extra.roles | uniq | join "," }}', 'admin,user'],
    ['{{ has "admin" .Extra.roles }} {{ .Extra.roles | has "root" }}', 'true false'],
    [
      '{{ first .Extra.roles }} {{ last .Extra.empty }}|{{ .Extra.roles | sortAlpha }}',
      'admin <no value>|[admin admin user]',
    ],
    // reflect.DeepEqual: the literal 1 is a Go int, a JSON number is a float64.
    [
      '{{ has 1 .Extra.nums }} {{ has 1.0 .Extra.nums }} {{ has (index .Extra.nums 0) .Extra.nums }}',
      'false true true',
    ],
    ['{{ range $i, $r := .Extra.roles | uniq }}{{ $i }}={{ $r }};{{ end }}', '0=admin;1=user;'],
  ])('%s', (source, expected) => {
    expect(render(source, data)).toBe(expected);
  });

  it('never changes a list in place', () => {
    const roles = ['b', 'a'];
    expect(
      render('{{ append .Extra.roles "c" }} {{ reverse .Extra.roles }} {{ .Extra.roles }}', {
        Extra: { roles },
      }),
    ).toBe('[b a c] [a b] [b a]');
    expect(roles).toEqual(['b', 'a']);
  });

  it.each([
    ['{{ first "abc" }}', 'error calling first: Cannot find first on type string'],
    [
      '{{ first .Extra.nope }}',
      'error calling first: runtime error: invalid memory address or nil pointer dereference',
    ],
    ['{{ append .Extra.name 1 }}', 'error calling append: Cannot push on type string'],
    ['{{ concat (list 1) "x" }}', 'error calling concat: Cannot concat type string as list'],
    ['{{ slice (list 1 2) 1 5 }}', 'error calling slice: reflect.Value.Slice: slice index out of range'],
    ['{{ mustFirst .Extra }}', 'error calling mustFirst: Cannot find first on type map'],
    ['{{ chunk 0 (list 1) }}', 'error calling chunk: runtime error: makeslice: len out of range'],
  ])('%s fails as in sprig', (source, message) => {
    expect(render(source, data)).toBe(`error: ${message}`);
  });

  it('bounds until and seq', () => {
    for (const source of ['{{ until 100000000 }}', '{{ seq 1 100000000 }}']) {
      const compiled = compileTemplate(source);
      if (!compiled.ok) throw compiled.error;
      const result = compiled.template.execute({});
      expect(result.ok ? 'ok' : result.error.code).toBe('limit');
    }
  });
});
