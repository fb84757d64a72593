import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RuleLoadError } from './errors.js';
import { parseRuleDocument } from './parse.js';
import { EXAM_RULE } from './testing/fixtures.js';

function issuesOf(text: string, format: 'json' | 'yaml' = 'json') {
  const result = parseRuleDocument(text, 'file:///rules.json', format);
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

describe('parseRuleDocument', () => {
  it('reads JSON and YAML alike, filling Go zero values', () => {
    const json = parseRuleDocument(JSON.stringify([EXAM_RULE]), 'file:///r.json', 'json');
    const yaml = parseRuleDocument(stringify([EXAM_RULE]), 'file:///r.yaml', 'yaml');
    expect(json).toEqual(yaml);
    expect(json).toEqual({
      ok: true,
      rules: [
        {
          id: 'exam-taking-rule',
          version: '',
          description: '',
          match: EXAM_RULE.match,
          authenticators: [{ handler: 'cookie_session', config: undefined }],
          authorizer: { handler: 'allow', config: undefined },
          mutators: [{ handler: 'header', config: { headers: { 'X-USER-EMAIL': '{{ print .Subject }}' } } }],
          errors: [{ handler: 'redirect', config: undefined }],
          upstream: { url: 'http://exam-taking-frontend:8501', preserve_host: false, strip_path: '' },
        },
      ],
    });
  });

  it('reads an empty document as no rules', () => {
    expect(parseRuleDocument('', 's', 'yaml')).toEqual({ ok: true, rules: [] });
    expect(parseRuleDocument('[]', 's', 'json')).toEqual({ ok: true, rules: [] });
  });

  it('names the rule id and field of every problem', () => {
    const broken = [
      { ...EXAM_RULE, id: 'a', authenticator: [{ handler: 'noop' }] },
      { ...EXAM_RULE, id: 'b', match: { url: 'https://x/', methods: ['GET /'] } },
      { ...EXAM_RULE, id: 'c', mutators: [] },
      { ...EXAM_RULE, id: 'd', authorizer: {} },
      { ...EXAM_RULE, id: 'e', upstream: { url: 'exam-taking-frontend:8501' } },
      { ...EXAM_RULE, id: 'a' },
      { ...EXAM_RULE, id: undefined },
    ];
    const issues = issuesOf(JSON.stringify(broken));
    const summary = issues.map(
      (issue) => `${issue.ruleId ?? `#${issue.index}`} ${issue.field}: ${issue.message}`,
    );
    expect(summary).toEqual([
      'a authenticator: unknown key',
      'b match.methods.0: must be an HTTP method name (GET, POST, ...)',
      'c mutators: must NOT have fewer than 1 items',
      'd authorizer.handler: is required',
      'e upstream.url: must be an absolute http:// or https:// URL, or empty',
      'a id: duplicate id (also rule #0)',
      '#6 id: is required',
    ]);
    expect(new RuleLoadError(issues).message).toContain(
      'file:///rules.json rule "b" match.methods.0: must be',
    );
  });

  it('takes what Oathkeeper takes: methods in any case or none, an empty upstream URL', () => {
    const rules = [
      { ...EXAM_RULE, id: 'lower', match: { url: 'https://x/a', methods: ['get', 'Post'] } },
      { ...EXAM_RULE, id: 'none', match: { url: 'https://x/b' } },
      { ...EXAM_RULE, id: 'judge-only', upstream: { url: '' } },
    ];
    const parsed = parseRuleDocument(JSON.stringify(rules), 's', 'json');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.rules.map((rule) => rule.match.methods)).toEqual([
      ['get', 'Post'],
      [],
      EXAM_RULE.match.methods,
    ]);
    expect(parsed.rules[2]?.upstream.url).toBe('');
  });

  it('reports a document that is not an array or not parseable', () => {
    expect(issuesOf('{"id":"x"}')[0]?.message).toBe('expected an array of access rules');
    expect(issuesOf('[{')[0]?.message).toMatch(/^not valid JSON/);
    expect(issuesOf('- id: [', 'yaml')[0]?.message).toMatch(/^not valid YAML/);
  });
});
