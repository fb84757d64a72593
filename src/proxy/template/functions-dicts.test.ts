import { describe, expect, it } from 'vitest';
import { compileTemplate } from './index.js';

function render(source: string, data: unknown = {}): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) return `compile error: ${compiled.error.message}`;
  const result = compiled.template.execute(data);
  return result.ok ? result.value : `error: ${result.error.message}`;
}

function data() {
  return {
    Extra: {
      identity: { traits: { email: 'a@example.com', role: 'admin' }, metadata_public: null },
      'example.com/claims': ['Foo', 'Bar'],
    },
  };
}

describe('sprig dict functions', () => {
  it.each([
    // Sprig's documented examples.
    ['{{ dict "name1" "value1" "name2" "value2" }}', 'map[name1:value1 name2:value2]'],
    ['{{ dict "odd" }} {{ dict 1 2 }}', 'map[odd:] map[1:2]'],
    ['{{ $d := dict "a" 1 }}{{ get $d "a" }}|{{ get $d "missing" }}|', '1||'],
    ['{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }}', 'map[a:1 b:2]'],
    ['{{ $d := dict "a" 1 "b" 2 }}{{ $_ := unset $d "a" }}{{ $d }}', 'map[b:2]'],
    ['{{ $d := dict "a" 1 }}{{ hasKey $d "a" }} {{ hasKey $d "b" }}', 'true false'],
    ['{{ keys (dict "b" 1 "a" 2) }} {{ keys (dict "b" 1) (dict "a" 2) | sortAlpha }}', '[a b] [a b]'],
    ['{{ values (dict "b" 1 "a" 2) }}', '[2 1]'],
    ['{{ pick (dict "a" 1 "b" 2 "c" 3) "a" "c" "x" }}', 'map[a:1 c:3]'],
    ['{{ omit (dict "a" 1 "b" 2 "c" 3) "a" "c" }}', 'map[b:2]'],
    ['{{ pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3) }}', '[1 3]'],
    ['{{ dig "user" "role" "guest" (dict "user" (dict "role" "admin")) }}', 'admin'],
    ['{{ dig "user" "name" "guest" (dict "user" (dict "role" "admin")) }}', 'guest'],
    ['{{ dict "k" "<v>" | toJson }}', '{"k":"\\u003cv\\u003e"}'],
    // Request data.
    ['{{ hasKey .Extra.identity.traits "email" }} {{ hasKey .Extra "nope" }}', 'true false'],
    ['{{ get .Extra.identity.traits "role" }}', 'admin'],
    [
      '{{ dig "identity" "traits" "email" "-" .Extra }} {{ dig "identity" "x" "y" "-" .Extra }}',
      'a@example.com -',
    ],
    ['{{ keys .Extra.identity.traits | join "," }}', 'email,role'],
    ['{{ index .Extra "example.com/claims" | join "," }}', 'Foo,Bar'],
    ['{{ pick .Extra.identity.traits "email" | toJson }}', '{"email":"a@example.com"}'],
    // A nil map argument (from a pipeline) is Go's nil map.
    ['{{ .Extra.nope | keys }} {{ .Extra.identity.metadata_public | values }}', '[] []'],
  ])('%s', (source, expected) => {
    expect(render(source, data())).toBe(expected);
  });

  it('changes a dict from the request data only in the copy it returns', () => {
    const d = data();
    expect(
      render('{{ set .Extra.identity.traits "role" "root" | toJson }} {{ .Extra.identity.traits.role }}', d),
    ).toBe('{"email":"a@example.com","role":"root"} admin');
    expect(
      render('{{ $_ := unset .Extra.identity.traits "email" }}{{ .Extra.identity.traits.email }}', d),
    ).toBe('a@example.com');
    expect(d.Extra.identity.traits).toEqual({ email: 'a@example.com', role: 'admin' });
  });

  it('treats any key as data, never as a prototype', () => {
    expect(
      render('{{ $d := dict "__proto__" "x" "constructor" 1 }}{{ keys $d }} {{ get $d "__proto__" }}'),
    ).toBe('[__proto__ constructor] x');
    expect(
      render('{{ $d := fromJson `{"__proto__": {"polluted": 1}}` }}{{ $_ := set $d "toString" 2 }}{{ $d }}'),
    ).toBe('map[__proto__:map[polluted:1] toString:2]');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    [
      '{{ hasKey .Extra.nope "a" }}',
      'wrong type for value; expected map[string]interface {}; got interface {}',
    ],
    ['{{ hasKey "x" "a" }}', `can't handle "x" for arg of type map[string]interface {}`],
    [
      '{{ hasKey .Extra.identity.traits.email "a" }}',
      'wrong type for value; expected map[string]interface {}; got string',
    ],
    ['{{ set nil "a" 1 }}', 'error calling set: assignment to entry in nil map'],
    ['{{ dig "a" "b" }}', 'error calling dig: dig needs at least three arguments'],
    [
      '{{ dig "a" "b" "-" (dict "a" "x") }}',
      'error calling dig: interface conversion: interface {} is string, not map[string]interface {}',
    ],
  ])('%s fails as in Go', (source, message) => {
    expect(render(source, data())).toBe(`error: ${message}`);
  });
});
