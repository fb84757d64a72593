import { describe, expect, it } from 'vitest';
import { compileTemplate, MultiMap, TemplateUrl } from './index.js';

const header = new MultiMap(
  [
    ['x-forwarded-for', ['10.0.0.1']],
    ['Accept', ['text/html', 'application/json']],
  ],
  true,
);

const data = {
  Subject: 'alice',
  Extra: {
    identity: {
      id: 'id-1',
      traits: { email: 'alice@example.com', name: { first: 'Al' } },
      roles: ['a', 'b'],
    },
    count: 3,
    big: 1_000_000,
    ratio: 1.5,
    html: '<b>&',
    nothing: null,
  },
  Header: new MultiMap([], true),
  MatchContext: {
    RegexpCaptureGroups: ['users', '42'],
    URL: new TemplateUrl(new URL('https://app.example.com/users/42?x=1&y=a+b')),
    Method: 'GET',
    Header: header,
  },
};

function run(source: string, input: unknown = data): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) throw compiled.error;
  const result = compiled.template.execute(input);
  if (!result.ok) throw result.error;
  return result.value;
}

describe('template: the issue examples', () => {
  it.each([
    ['{{ print .Subject }}', 'alice'],
    ['{{ print .Extra.identity.traits.email }}', 'alice@example.com'],
    ['{{ .Extra.identity.traits.email }}', 'alice@example.com'],
    ['{{ printIndex .MatchContext.RegexpCaptureGroups 0 }}', 'users'],
    ['{{ printIndex .MatchContext.RegexpCaptureGroups 5 }}', ''],
    ['{{ .MatchContext.Header.Get "X-Forwarded-For" }}', '10.0.0.1'],
    ['{{ .MatchContext.Header.Get "x-forwarded-for" }}', '10.0.0.1'],
    ['{{ .MatchContext.Header.Get "Missing" }}', ''],
    ['{{ if .Subject }}yes{{ end }}', 'yes'],
    [
      '{{ .Extra.identity | toJson }}',
      '{"id":"id-1","roles":["a","b"],"traits":{"email":"alice@example.com","name":{"first":"Al"}}}',
    ],
  ])('%s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe('template: the subset', () => {
  it.each([
    ['plain text', 'hello', 'hello'],
    ['dot', '{{ .Method }}', 'GET', { Method: 'GET' }],
    ['missing key', '{{ .Extra.nope }}', '<no value>'],
    ['print of missing (Oathkeeper print)', '{{ print .Extra.nope }}', ''],
    ['null', '{{ .Extra.nothing }}', '<no value>'],
    ['print of null', '{{ print .Extra.nothing }}', ''],
    ['null in a list', '{{ list 1 nil }} {{ printf "%v" nil }}', '[1 <nil>] <nil>'],
    ['field of a variable holding nil', '{{ $x := .Extra.nope }}{{ $x.deeper }}', '<no value>'],
    ['missing header key is a nil []string', '{{ .MatchContext.Header.Nope }}', '[]'],
    ['int literal', '{{ 42 }}', '42'],
    [
      'int literal bases',
      '{{ 0x2A }} {{ 0o52 }} {{ 052 }} {{ 0b101010 }} {{ 1_000 }} {{ -7 }}',
      '42 42 42 42 1000 -7',
    ],
    ['float %v', '{{ .Extra.big }} {{ .Extra.ratio }} {{ .Extra.count }}', '1e+06 1.5 3'],
    ['print one operand', '{{ print 1.5 }}{{ print 7 }}{{ print true }}', '1.57true'],
    ['print slice', '{{ .Extra.identity.roles }}', '[a b]'],
    ['print map', '{{ .Extra.identity.traits.name }}', 'map[first:Al]'],
    ['url field', '{{ .MatchContext.URL.Host }}{{ .MatchContext.URL.Path }}', 'app.example.com/users/42'],
    ['url string', '{{ .MatchContext.URL }}', 'https://app.example.com/users/42?x=1&y=a+b'],
    ['url query', '{{ (.MatchContext.URL.Query).Get "y" }}', 'a b'],
    ['header values', '{{ .MatchContext.Header.Values "accept" }}', '[text/html application/json]'],
    ['header index', '{{ index .MatchContext.Header "Accept" 1 }}', 'application/json'],
    ['pipeline', '{{ .Subject | upper }}', 'ALICE'],
    ['pipeline chain', '{{ .Subject | printf "%s-%s" "x" | upper }}', 'X-ALICE'],
    ['if/else', '{{ if .Extra.nope }}a{{ else }}b{{ end }}', 'b'],
    ['else if', '{{ if eq .Subject "bob" }}bob{{ else if eq .Subject "alice" }}al{{ else }}?{{ end }}', 'al'],
    ['with', '{{ with .Extra.identity.traits }}{{ .email }}{{ end }}', 'alice@example.com'],
    ['with else', '{{ with .Extra.nope }}x{{ else }}none{{ end }}', 'none'],
    ['range slice', '{{ range .Extra.identity.roles }}[{{ . }}]{{ end }}', '[a][b]'],
    ['range vars', '{{ range $i, $r := .Extra.identity.roles }}{{ $i }}={{ $r }};{{ end }}', '0=a;1=b;'],
    ['range map sorted', '{{ range $k, $v := .Extra.identity.traits }}{{ $k }} {{ end }}', 'email name '],
    ['range else', '{{ range .Extra.nope }}x{{ else }}empty{{ end }}', 'empty'],
    ['variables', '{{ $x := .Subject }}{{ $x }}-{{ $x = "b" }}{{ $x }}', 'alice-b'],
    ['root var', '{{ with .Extra }}{{ $.Subject }}{{ end }}', 'alice'],
    ['printf verbs', '{{ printf "%s %d %v %q %t %%" "a" 7 1.5 "q\\"" true }}', 'a 7 1.5 "q\\"" true %'],
    ['printf width', '{{ printf "%5s|%-3d|%03d" "ab" 1 7 }}', '   ab|1  |007'],
    ['printf missing', '{{ printf "%s %s" "a" }}', 'a %!s(MISSING)'],
    ['printf extra', '{{ printf "%s" "a" 1 }}', 'a%!(EXTRA int=1)'],
    ['printf bad verb', '{{ printf "%d" "a" }}', '%!d(string=a)'],
    ['index', '{{ index .MatchContext.RegexpCaptureGroups 1 }}', '42'],
    ['index map', '{{ index .Extra.identity.traits "email" }}', 'alice@example.com'],
    ['len', '{{ len .Extra.identity.roles }} {{ len "héllo" }}', '2 6'],
    ['eq multi', '{{ eq .Subject "x" "alice" }}', 'true'],
    [
      'ne lt gt',
      '{{ ne 1 2 }} {{ lt 1 2 }} {{ gt "b" "a" }} {{ le 2 2 }} {{ ge 1 2 }}',
      'true true true true false',
    ],
    ['eq int float', '{{ eq .Extra.count 3 }}', 'true'],
    ['and or not', '{{ and 1 0 }} {{ or 0 "x" }} {{ not .Extra.nope }} {{ and .Subject "y" }}', '0 x true y'],
    ['and short-circuits', '{{ and false (index .Extra.identity.roles 9) }}', 'false'],
    ['default', '{{ .Extra.nope | default "anon" }} {{ default "d" .Subject }}', 'anon alice'],
    ['urlquery', '{{ urlquery "a b&c/é" }}', 'a+b%26c%2F%C3%A9'],
    ['b64', '{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }}', 'aGVsbG8= hello'],
    ['b64dec bad', '{{ b64dec "!!" }}', 'illegal base64 data at input byte 0'],
    ['upper lower', '{{ upper "aB" }}{{ lower "aB" }}', 'ABab'],
    ['quote', '{{ quote "a" "b\\n" }}', '"a" "b\\n"'],
    ['join', '{{ join "," .Extra.identity.roles }}', 'a,b'],
    ['toJson escapes html', '{{ toJson .Extra.html }}', '"\\u003cb\\u003e\\u0026"'],
    ['toJson missing', '{{ toJson .Extra.nope }}', 'null'],
    ['trim markers', 'a  {{- " b " -}}  c', 'a b c'],
    ['trim newline', '{{ if true -}}\n  x\n{{- end }}', 'x'],
    ['minus is not trim without space', '{{-3}}', '-3'],
    ['comment', 'a{{/* hi */}}b{{- /* x */ -}} c', 'abc'],
    ['raw string', '{{ `a\\n` }}', 'a\\n'],
    ['parens', '{{ (printf "%s%s" "a" "b") | upper }}', 'AB'],
    ['range int', '{{ range $i := 3 }}{{ $i }}{{ end }}', '012'],
    ['scoped vars', '{{ if true }}{{ $x := 1 }}{{ $x }}{{ end }}', '1'],
    ['println', '{{ println "a" 1 }}', 'a 1\n'],
  ])('%s', (_name, source, expected, input?: unknown) => {
    expect(run(source, input ?? data)).toBe(expected);
  });
});

describe('template: errors', () => {
  it.each([
    ['{{ .Subject', 'parse'],
    ['{{ if .Subject }}x', 'parse'],
    ['{{ end }}', 'parse'],
    ['{{ nosuchfunc 1 }}', 'parse'],
    ['{{ $undefined }}', 'parse'],
    ['{{ define "x" }}{{ end }}', 'parse'],
    ['{{ template "x" }}', 'parse'],
    ['{{ "unterminated }}', 'parse'],
    ['{{ 08 }}', 'parse'],
    ['{{ 99999999999999999999 }}', 'parse'],
    ['{{ ( }}', 'parse'],
    [`${'{{ if true }}'.repeat(200)}x${'{{ end }}'.repeat(200)}`, 'parse'],
    [`{{ ${'('.repeat(500)}1${')'.repeat(500)} }}`, 'parse'],
  ])('%s fails to compile', (source, code) => {
    const compiled = compileTemplate(source);
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.error.code).toBe(code);
  });

  it.each([
    ['{{ index .MatchContext.RegexpCaptureGroups 9 }}'],
    ['{{ .Extra.nothing.deeper }}'],
    ['{{ .Extra.nope.deeper }}'],
    ['{{ print "a" "b" }}'],
    ['{{ print }}'],
    ['{{ upper .Extra.nope }}'],
    ['{{ .Extra.nope | upper }}'],
    ['{{ nil }}'],
    ['{{ .MatchContext.URL.Nope }}'],
    ['{{ .Subject.deeper }}'],
    ['{{ upper 1 }}'],
    ['{{ eq .Extra.identity 1 }}'],
    ['{{ len .Extra.nothing }}'],
    ['{{ range "abc" }}{{ end }}'],
    ['{{ .Subject "arg" }}'],
    ['{{ 1 2 }}'],
  ])('%s fails at execution with a typed error', (source) => {
    const compiled = compileTemplate(source);
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    const result = compiled.template.execute(data);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('exec');
  });
});

describe('template: hostile input', () => {
  it('reaches no prototype, constructor or global', () => {
    expect(run('{{ .constructor }}|{{ .__proto__ }}|{{ .toString }}|{{ .Extra.hasOwnProperty }}')).toBe(
      '<no value>|<no value>|<no value>|<no value>',
    );
    expect(run('{{ index . "constructor" }}')).toBe('<no value>');
    expect(compileTemplate('{{ .MatchContext.URL.url }}').ok).toBe(true);
    expect(compileTemplate('{{ constructor }}').ok).toBe(false);
    expect(compileTemplate('{{ process }}').ok).toBe(false);
  });

  it('bounds the output size', () => {
    const compiled = compileTemplate('{{ range $i := 5000 }}{{ printf "%50s" "x" }}{{ end }}');
    if (!compiled.ok) throw compiled.error;
    const result = compiled.template.execute({});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('limit');
  });

  it('bounds range iterations, also when nested', () => {
    const compiled = compileTemplate('{{ range $i := 1000 }}{{ range $j := 1000 }}{{ end }}{{ end }}');
    if (!compiled.ok) throw compiled.error;
    const result = compiled.template.execute({});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('limit');
    const big = compileTemplate('{{ range $i := 100000000000 }}{{ end }}');
    if (!big.ok) throw big.error;
    expect(big.template.execute({}).ok).toBe(false);
  });

  it('refuses oversized sources', () => {
    const compiled = compileTemplate('x'.repeat(70_000));
    expect(compiled.ok).toBe(false);
  });

  it('treats template syntax inside data as text', () => {
    expect(run('{{ .Subject }}', { Subject: '{{ .Secret }}', Secret: 's' })).toBe('{{ .Secret }}');
  });

  it('compiles once and executes many times with different data', () => {
    const compiled = compileTemplate('{{ .Subject }}');
    if (!compiled.ok) throw compiled.error;
    expect(compiled.template.execute({ Subject: 'a' })).toEqual({ ok: true, value: 'a' });
    expect(compiled.template.execute({ Subject: 'b' })).toEqual({ ok: true, value: 'b' });
  });
});
