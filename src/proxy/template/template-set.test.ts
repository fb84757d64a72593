import { describe, expect, it } from 'vitest';
import { TemplateError } from './errors.js';
import { compileTemplateSet } from './template-set.js';

const run = (files: Array<[string, string]>, entry: string, data: unknown, html = false) =>
  compileTemplateSet(
    files.map(([name, source]) => ({ name, source })),
    { html },
  ).execute(entry, data);

describe('template sets (Kratos courier)', () => {
  it('run define/template/block across files, a later non-empty definition winning', () => {
    const files: Array<[string, string]> = [
      ['main', '{{ template "a" .X }}|{{ block "b" . }}default {{ .X }}{{ end }}'],
      ['defs', '{{ define "a" }}a={{ . }}{{ end }}{{ define "b" }}{{ end }}'],
    ];
    expect(run(files, 'main', { X: 'x' })).toBe('a=x|default x');
    expect(run([...files, ['more', '{{ define "b" }}b={{ $.X }}{{ end }}']], 'main', { X: 'y' })).toBe(
      'a=y|b=y',
    );
  });

  it('leave out Oathkeeper-only and non-hermetic functions, and print as Go does', () => {
    expect(() => run([['t', '{{ uuidv4 }}']], 't', {})).toThrow(TemplateError);
    expect(() => run([['t', '{{ printIndex . 0 }}']], 't', {})).toThrow(TemplateError);
    expect(run([['t', '{{ print .Missing }} {{ print 1 2 }}']], 't', {})).toBe('<nil> 1 2');
  });

  it('escape by HTML context, a called template for the context it is called in', () => {
    const files: Array<[string, string]> = [
      [
        't',
        '<a href="{{ template "u" . }}" title={{ .T }}>{{ template "u" . }}</a><script>var x = {{ .T }};</script>',
      ],
      ['d', '{{ define "u" }}{{ .U }}{{ end }}'],
    ];
    expect(run(files, 't', { U: 'javascript:x()', T: `a b"<` }, true)).toBe(
      '<a href="#ZgotmplZ" title=a&#32;b&#34;&lt;>javascript:x()</a><script>var x = "a b\\u0022\\u003c";</script>',
    );
  });

  it('refuse a file with a stray {{ end }} or {{ else }}, as a parse error', () => {
    for (const source of ['x{{ end }}', '{{ define "a" }}a{{ end }}{{ else }}']) {
      expect(() => run([['t', source]], 't', {})).toThrow(
        expect.objectContaining({
          code: 'parse',
          message: expect.stringMatching(/unexpected \{\{(end|else)\}\}/),
        }),
      );
    }
  });

  it('refuse branches that end in different HTML contexts, as html/template', () => {
    const set = compileTemplateSet([{ name: 't', source: '{{ if .X }}<a href="{{ end }}x">' }], {
      html: true,
    });
    expect(() => set.check('t')).toThrow(/different contexts/);
  });
});
