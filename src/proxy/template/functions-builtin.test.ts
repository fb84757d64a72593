import { describe, expect, it } from 'vitest';
import type { AuthenticationSession } from '../pipeline/session.js';
import { templateData } from '../pipeline/template-data.js';
import { compileTemplate } from './index.js';

function render(source: string, data: unknown = {}): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) return `compile error: ${compiled.error.message}`;
  const result = compiled.template.execute(data);
  return result.ok ? result.value : `error: ${result.error.message}`;
}

function session(extra: Record<string, unknown>, subject = 'foo'): AuthenticationSession {
  return {
    subject,
    extra,
    header: {},
    matchContext: {
      regexpCaptureGroups: ['a', 'b'],
      url: new URL('https://example.com/p'),
      method: 'GET',
      header: {},
    },
  };
}

/** Oathkeeper's header mutator cases (pipeline/mutate/mutator_header_test.go). */
describe("Oathkeeper's print", () => {
  it.each([
    ['Simple Subject', {}, '{{ print .Subject }}', 'foo'],
    ['Complex Subject', {}, 'realm:resources:users:{{ print .Subject }}', 'realm:resources:users:foo'],
    [
      'Subject & Extras',
      { iss: 'issuer', aud: 'audience' },
      '{{ print .Extra.iss }}|{{ print .Extra.aud }}',
      'issuer|audience',
    ],
    [
      'All In One Header',
      { iss: 'issuer', aud: 'audience' },
      '{{ print .Subject }} {{ print .Extra.iss }} {{ print .Extra.aud }}',
      'foo issuer audience',
    ],
    ['Missing Extras', {}, '{{ print .Extra.iss }}', ''],
    [
      'Nested Extras',
      // biome-ignore lint/suspicious/noApproximativeNumericConstant: Oathkeeper's test value.
      { nested: { int: 10, float64: 3.14159, bool: true } },
      '{{ print .Extra.nested.int }}|{{ print .Extra.nested.float64 }}|{{ print .Extra.nested.bool}}|{{ print .Extra.nested.nil }}',
      '10|3.14159|true|',
    ],
    [
      'Advanced template with sprig function',
      { 'example.com/some-claims': ['Foo', 'Bar'] },
      '{{- (index .Extra "example.com/some-claims") | join "," -}}',
      'Foo,Bar',
    ],
    ['a JSON null', { email: null }, '{{ print .Extra.email }}', ''],
    ['a piped nil', {}, '{{ .Extra.nope | print }}', ''],
  ])('%s', (_name, extra, source, expected) => {
    expect(render(source, templateData(session(extra)))).toBe(expected);
  });

  it('takes exactly one operand, as its Go signature does', () => {
    const data = templateData(session({}));
    expect(render('{{ print "a" "b" }}', data)).toBe('error: wrong number of args for print: want 1 got 2');
    expect(render('{{ print }}', data)).toBe('error: wrong number of args for print: want 1 got 0');
  });

  it('prints nil as <no value> in an action, as Go does with missingkey=zero', () => {
    const data = templateData(session({ email: null, list: [null] }));
    expect(render('{{ .Extra.nope }}|{{ .Extra.email }}|{{ index .Extra "nope" }}', data)).toBe(
      '<no value>|<no value>|<no value>',
    );
    expect(render('{{ .Extra.list }}|{{ range .Extra.list }}{{ . }}{{ end }}', data)).toBe(
      '[<nil>]|<no value>',
    );
    expect(render('{{ .Extra.nope.deeper }}', data)).toBe(
      'error: nil pointer evaluating interface {}.deeper',
    );
    expect(render('{{ .Extra.email.deeper }}', data)).toBe(
      'error: nil pointer evaluating interface {}.deeper',
    );
  });
});

describe('Go builtins', () => {
  it.each([
    ['{{ printIndex .L 1 }}|{{ printIndex .L 5 }}|{{ printIndex .S 0 }}|{{ printIndex nil 0 }}', 'y|||'],
    ['{{ println "a" 1 nil }}', 'a 1 <nil>\n'],
    ['{{ printf "%s-%d" "a" 7 }}', 'a-7'],
    ['{{ urlquery "a b&c" }} {{ urlquery nil }} {{ urlquery "a" 1 }}', 'a+b%26c %3Cno+value%3E a1'],
    ['{{ html "<a href=\'x\'>&" }}', '&lt;a href=&#39;x&#39;&gt;&amp;'],
    ['{{ js "a\'b\\"<=>&\\n" }}', 'a\\\'b\\"\\u003C\\u003D\\u003E\\u0026\\u000A'],
    [
      '{{ index .L 0 }} {{ len .L }} {{ eq 1 1 }} {{ not 0 }} {{ and 1 2 }} {{ or 0 "" }}',
      'x 2 true true 2 ',
    ],
  ])('%s', (source, expected) => {
    expect(render(source, { L: ['x', 'y'], S: 'x' })).toBe(expected);
  });

  it.each([
    ['{{ printIndex .L -1 }}', 'error calling printIndex: reflect: slice index out of range'],
    ['{{ printf .Nope }}', 'wrong type for value; expected string; got interface {}'],
    ['{{ index .L 5 }}', 'error calling index: index out of range: 5'],
    ['{{ eq 1 }}', 'error calling eq: missing argument for comparison'],
    ['{{ len nil }}', 'error calling len: len of nil pointer'],
  ])('%s fails as in Go', (source, message) => {
    expect(render(source, { L: ['x', 'y'] })).toBe(`error: ${message}`);
  });
});
