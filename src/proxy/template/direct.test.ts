import { describe, expect, it } from 'vitest';
import { compileDirect, DEFER } from './direct.js';
import { TemplateError } from './errors.js';
import { Executor } from './exec.js';
import { FUNCTIONS } from './functions.js';
import { compileTemplate, DEFAULT_LIMITS, MultiMap } from './index.js';
import { lex } from './lexer.js';
import { parse } from './parser.js';

const nodesOf = (source: string) => parse(lex(source), (name) => FUNCTIONS.has(name));

/** What the general executor renders, or its error. */
function executed(source: string, data: unknown, maxOutput = DEFAULT_LIMITS.maxOutput): string {
  try {
    return new Executor(data, { ...DEFAULT_LIMITS, maxOutput }).run(nodesOf(source), data);
  } catch (error) {
    if (error instanceof TemplateError) return `error ${error.code}: ${error.message}`;
    throw error;
  }
}

/** What compileTemplate renders (direct or not), or its error. */
function rendered(source: string, data: unknown, maxOutput?: number): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) throw compiled.error;
  const result = compiled.template.execute(data, maxOutput === undefined ? undefined : { maxOutput });
  return result.ok ? result.value : `error ${result.error.code}: ${result.error.message}`;
}

const data = {
  Subject: 'alice',
  Extra: {
    identity: { id: 'i-1', traits: { email: 'a@example.com', name: { first: 'Ada', last: 'L' } } },
    count: 3,
    ratio: 0.5,
    big: 1e21,
    yes: true,
    nothing: null,
    list: ['a', 'b', 2],
    empty: {},
    unicode: 'é✓',
  },
  Header: new MultiMap([['X-Id', ['1', '2']]], true),
};

const sources = [
  '{{ print .Subject }}',
  '{{ .Subject }}',
  '{{ print .Extra.identity.traits.email }}',
  '{{ .Extra.identity.traits.email }}',
  '{{ .Extra.identity.traits.name }}',
  '{{ print .Extra.identity.traits.name }}',
  '{{ .Extra.count }}',
  '{{ print .Extra.count }}',
  '{{ .Extra.ratio }}',
  '{{ .Extra.big }}',
  '{{ print .Extra.yes }}',
  '{{ .Extra.nothing }}',
  '{{ print .Extra.nothing }}',
  '{{ .Extra.list }}',
  '{{ print .Extra.list }}',
  '{{ .Extra.empty }}',
  '{{ .Extra.unicode }}',
  // Missing fields: `<no value>` for an action, nil for print.
  '{{ .Extra.nope }}',
  '{{ print .Extra.nope }}',
  '{{ .Extra.nope.deeper }}',
  '{{ print .Nope.deeper }}',
  // Errors and TemplateObjects are the executor's.
  '{{ .Extra.nothing.x }}',
  '{{ print .Extra.count.x }}',
  '{{ .Extra.list.x }}',
  '{{ .Subject.x }}',
  '{{ .Header }}',
  '{{ print .Header.Foo }}',
  '{{ .Header.Get }}',
  // Text around, several actions, trimmed whitespace.
  'Bearer {{ .Extra.identity.id }}',
  '{{ .Subject }}:{{ print .Extra.count }} ({{ .Extra.nope }})',
  'x {{- .Subject -}} y',
  'no actions at all',
  '',
];

describe('direct rendering', () => {
  for (const source of sources) {
    it(`renders ${JSON.stringify(source)} as the executor does`, () => {
      expect(rendered(source, data)).toBe(executed(source, data));
    });
  }

  it('takes the direct path for the usual header templates', () => {
    for (const source of [
      '{{ print .Subject }}',
      '{{ .Extra.identity.traits.email }}',
      'a {{ .Subject }} b',
    ]) {
      const direct = compileDirect(nodesOf(source));
      expect(direct).toBeDefined();
      expect(direct?.(data, DEFAULT_LIMITS.maxOutput)).toBe(executed(source, data));
    }
  });

  it('defers to the executor off the plain paths', () => {
    for (const source of ['{{ .Extra.nothing.x }}', '{{ .Header.Foo }}', '{{ .Subject.x }}']) {
      expect(compileDirect(nodesOf(source))?.(data, DEFAULT_LIMITS.maxOutput)).toBe(DEFER);
    }
  });

  it('leaves other shapes to the executor', () => {
    for (const source of [
      '{{ print .A | print }}',
      '{{ printf "%s" .Subject }}',
      '{{ .Subject | urlquery }}',
      '{{ if .Subject }}x{{ end }}',
      '{{ $x := .Subject }}',
      '{{ (.Subject) }}',
      '{{ . }}',
      '{{ print .Subject .Extra.count }}',
      '{{ len .Extra.list }}',
    ]) {
      expect(compileDirect(nodesOf(source))).toBeUndefined();
      expect(rendered(source, data)).toBe(executed(source, data));
    }
  });

  it('reports the output limit in the executor words', () => {
    const long = { Subject: 'x'.repeat(100) };
    expect(rendered('{{ print .Subject }}', long, 10)).toBe(executed('{{ print .Subject }}', long, 10));
    expect(rendered('{{ print .Subject }}', long, 10)).toMatch(/^error limit/);
    expect(rendered('{{ print .Subject }}', long, 100)).toBe('x'.repeat(100));
  });

  it('renders a data object without a prototype, and defers for non-object data', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { Subject: 's' });
    expect(rendered('{{ .Subject }}', bare)).toBe('s');
    expect(rendered('{{ .Subject }}', 'text')).toBe(executed('{{ .Subject }}', 'text'));
    expect(rendered('{{ .Subject }}', null)).toBe(executed('{{ .Subject }}', null));
  });
});
