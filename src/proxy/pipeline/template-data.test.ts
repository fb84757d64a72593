import { describe, expect, it } from 'vitest';
import { compileTemplate, MultiMap, TemplateUrl } from '../template/index.js';
import type { AuthenticationSession } from './session.js';
import { templateData } from './template-data.js';

function session(): AuthenticationSession {
  return {
    subject: 'alice',
    extra: { identity: { traits: { email: 'alice@example.com' } } },
    header: { 'X-User': 'alice', 'x-role': 'admin' },
    matchContext: {
      regexpCaptureGroups: ['users', '42'],
      url: new URL('https://app.example.com/users/42?x=1'),
      method: 'GET',
      header: {
        'x-forwarded-for': '10.0.0.1',
        accept: ['text/html', 'application/json'],
        'x-absent': undefined,
        cookie: 'a=1',
      },
    },
  };
}

/** What templateData built before its maps became lazy: everything up front. */
function eagerData(s: AuthenticationSession): Record<string, unknown> {
  const requestHeaders = Object.entries(s.matchContext.header).flatMap(([k, v]) =>
    v === undefined ? [] : [[k, typeof v === 'string' ? [v] : [...v]] as const],
  );
  return {
    Subject: s.subject,
    Extra: s.extra,
    Header: new MultiMap(
      Object.entries(s.header).map(([k, v]) => [k, [v]] as const),
      true,
    ),
    MatchContext: {
      RegexpCaptureGroups: [...s.matchContext.regexpCaptureGroups],
      URL: new TemplateUrl(s.matchContext.url),
      Method: s.matchContext.method,
      Header: new MultiMap(requestHeaders, true),
    },
  };
}

function render(source: string, data: unknown): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) throw compiled.error;
  const result = compiled.template.execute(data);
  return result.ok ? result.value : `error: ${result.error.code}`;
}

describe('templateData', () => {
  it.each([
    '{{ print .Subject }} {{ .Extra.identity.traits.email }}',
    '{{ .Header.Get "x-user" }}|{{ .Header.Get "X-Role" }}|{{ .Header.Get "missing" }}',
    '{{ .MatchContext.Header.Get "X-Forwarded-For" }}|{{ .MatchContext.Header.Values "Accept" }}',
    '{{ .MatchContext.Header.Accept }}|{{ .MatchContext.Header.accept }}|{{ index .Header "X-User" }}',
    '{{ index .MatchContext.Header "Accept" }}|{{ len .MatchContext.Header }}|{{ len .Header }}',
    '{{ range $k, $v := .MatchContext.Header }}{{ $k }}={{ $v }};{{ end }}',
    '{{ range $k, $v := .Header }}{{ $k }}={{ $v }};{{ end }}',
    '{{ .Header }}|{{ .MatchContext.Header }}',
    '{{ toJson .Header }}|{{ toJson .MatchContext.Header }}',
    '{{ if .Header }}set{{ end }}|{{ if index .MatchContext.Header "X-Absent" }}absent{{ end }}',
    '{{ printIndex .MatchContext.RegexpCaptureGroups 1 }}|{{ .MatchContext.Method }}|{{ .MatchContext.URL.Path }}',
    '{{ . }}',
    '{{ .MatchContext }}',
    '{{ printf "%T %T" .Header .MatchContext.Header }}',
  ])('renders %s exactly as the eager data did', (source) => {
    const s = session();
    const lazy = render(source, templateData(s));
    expect(lazy).toBe(render(source, eagerData(s)));
    expect(lazy).not.toMatch(/^error/);
  });

  it('reads the headers as they are when a template first reads them, then keeps them', () => {
    const s = session();
    const data = templateData(s);
    s.header['X-Late'] = 'set before rendering';
    expect(render('{{ .Header.Get "X-Late" }}', data)).toBe('set before rendering');
    s.header['X-Later'] = 'set after the first read';
    expect(render('{{ .Header.Get "X-Later" }}', data)).toBe('');
  });

  it('gives each rendering its own data', () => {
    const s = session();
    const first = templateData(s);
    s.header['X-Next'] = '1';
    expect(render('{{ .Header.Get "X-Next" }}', first)).toBe('1');
    expect(render('{{ .Header.Get "X-Next" }}', templateData(s))).toBe('1');
  });
});
