import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RuleLoadError } from './errors.js';
import { OATHKEEPER_VERSION } from './migrate.js';
import { type ParsedRule, parseRuleDocument } from './parse.js';
import { EXAM_RULE, rule } from './testing/fixtures.js';

/** The document-level problems of a document Oathkeeper would not decode. */
function refused(text: string) {
  const result = parseRuleDocument(text, 'file:///rules.json');
  if (result.ok) throw new Error('expected the document to be refused');
  return result.issues;
}

/** The rules of a document that decodes. */
function parsed(text: string): readonly ParsedRule[] {
  const result = parseRuleDocument(text, 'file:///rules.json');
  if (!result.ok) throw new Error(`expected rules, got ${JSON.stringify(result.issues)}`);
  return result.rules;
}

describe('parseRuleDocument', () => {
  it('reads JSON and YAML alike, filling Go zero values', () => {
    const json = parseRuleDocument(JSON.stringify([EXAM_RULE]), 'file:///r.json');
    const yaml = parseRuleDocument(stringify([EXAM_RULE]), 'file:///r.yaml');
    expect(json).toEqual(yaml);
    expect(json).toEqual({
      ok: true,
      rules: [
        {
          rule: {
            id: 'exam-taking-rule',
            version: OATHKEEPER_VERSION,
            description: '',
            match: EXAM_RULE.match,
            authenticators: [{ handler: 'cookie_session', config: null }],
            authorizer: { handler: 'allow', config: null },
            mutators: [
              { handler: 'header', config: { headers: { 'X-USER-EMAIL': '{{ print .Subject }}' } } },
            ],
            errors: [{ handler: 'redirect', config: null }],
            upstream: { url: 'http://exam-taking-frontend:8501', preserve_host: false, strip_path: '' },
          },
          issues: [],
          warnings: [],
          matchable: 'pattern',
        },
      ],
    });
  });

  it('decides JSON or YAML by content, as Oathkeeper (json.Valid), whatever the name', () => {
    const yamlText = stringify([rule('y', 'https://a.example/')]);
    const asJsonName = parseRuleDocument(yamlText, 'file:///rules.json');
    expect(asJsonName.ok && asJsonName.rules.map((r) => r.rule.id)).toEqual(['y']);
  });

  it('reads an empty or null document as no rules', () => {
    expect(parseRuleDocument('', 's')).toEqual({ ok: true, rules: [] });
    expect(parseRuleDocument('[]', 's')).toEqual({ ok: true, rules: [] });
    expect(parseRuleDocument('null', 's')).toEqual({ ok: true, rules: [] });
  });

  it('keeps a rule that fails validation as an invalid rule, naming its id and field', () => {
    const rules = parsed(
      JSON.stringify([
        { ...EXAM_RULE, id: 'a', authenticator: [{ handler: 'noop' }] },
        { ...EXAM_RULE, id: 'c', mutators: [] },
        { ...EXAM_RULE, id: 'd', authorizer: {} },
        { ...EXAM_RULE, id: 'e', upstream: { url: 'exam-taking-frontend:8501' } },
        { ...EXAM_RULE, id: 'f', match: { methods: ['GET'] } },
        { ...EXAM_RULE, id: 'ok' },
      ]),
    );
    const summary = rules.flatMap(({ issues }) =>
      issues.map((issue) => `${issue.ruleId} #${issue.index} ${issue.field}: ${issue.message}`),
    );
    // Oathkeeper ignores unknown keys (rule.go UnmarshalJSON): a warning, the rule is valid.
    expect(rules[0]?.issues).toEqual([]);
    expect(rules[0]?.warnings.map((w) => `${w.ruleId} #${w.index} ${w.field}: ${w.message}`)).toEqual([
      'a #0 authenticator: unknown key, ignored as Oathkeeper ignores it',
    ]);
    expect(summary).toEqual([
      'c #1 mutators: must NOT have fewer than 1 items',
      'd #2 authorizer.handler: is required',
      'e #3 upstream.url: must be an absolute http:// or https:// URL, or empty',
      'f #4 match.url: is required',
    ]);
    expect(rules.map((r) => r.rule.id)).toEqual(['a', 'c', 'd', 'e', 'f', 'ok']);
    expect(rules.at(-1)?.issues).toEqual([]);
  });

  it('never checks ids, as Oathkeeper: optional, any length, repeated', () => {
    const { id: _id, ...noId } = rule('x', 'https://a.example/none');
    const rules = parsed(
      JSON.stringify([
        noId,
        rule('same', 'https://a.example/1'),
        rule('same', 'https://a.example/2'),
        rule('x'.repeat(300), 'https://a.example/3'),
      ]),
    );
    expect(rules.map((r) => [r.rule.id.length, r.issues.length])).toEqual([
      [0, 0],
      [4, 0],
      [4, 0],
      [300, 0],
    ]);
  });

  it('takes what Oathkeeper takes: methods in any case, none, or no method at all ("*"); an empty upstream URL', () => {
    const rules = parsed(
      JSON.stringify([
        rule('lower', 'https://x/a', ['get', 'Post']),
        { ...rule('none', 'https://x/b'), match: { url: 'https://x/b' } },
        rule('star', 'https://x/c', ['GET', '*', 'GET /']),
        { ...rule('judge-only', 'https://x/d'), upstream: { url: '' } },
      ]),
    );
    expect(rules.map((r) => r.issues)).toEqual([[], [], [], []]);
    expect(rules.map((r) => r.rule.match.methods)).toEqual([
      ['get', 'Post'],
      null,
      ['GET', '*', 'GET /'],
      ['GET'],
    ]);
    expect(rules[3]?.rule.upstream.url).toBe('');
  });

  it('reads null as Go does: the zero value, and an absent match as no match at all', () => {
    const rules = parsed(
      JSON.stringify([
        { ...rule('nulls', 'https://x/a'), description: null, errors: null, upstream: null, version: null },
        { ...rule('no-match', 'https://x/b'), match: undefined },
        { ...rule('grpc', 'https://x/c'), match: { authority: 'a', full_method: 'x.Y/Z' } },
      ]),
    );
    expect(rules[0]?.issues).toEqual([]);
    expect(rules[0]?.rule).toMatchObject({ description: '', errors: null, version: OATHKEEPER_VERSION });
    expect(rules.map((r) => r.matchable)).toEqual(['pattern', 'missing', 'never']);
  });

  it('refuses a document Oathkeeper cannot decode: not JSON or YAML, not an array, a wrong type', () => {
    expect(refused('{"id":"x"}')[0]?.message).toBe('expected an array of access rules');
    expect(refused('[{')[0]?.message).toMatch(/^neither JSON nor YAML/);
    expect(refused('- id: [')[0]?.message).toMatch(/^neither JSON nor YAML/);
    const issues = refused(
      JSON.stringify([
        rule('ok', 'https://x/'),
        { ...rule('m', 'https://x/m'), match: { url: 'https://x/m', methods: 'GET' } },
        { ...rule('u', 'https://x/u'), upstream: { preserve_host: 'yes' } },
        'not a rule',
      ]),
    );
    expect(issues.map((i) => `${i.ruleId ?? `#${i.index}`} ${i.field}: ${i.message}`)).toEqual([
      'm match.methods: must be a list',
      'u upstream.preserve_host: must be true or false',
      '#3 : must be an object',
    ]);
    expect(new RuleLoadError(issues).message).toContain(
      'file:///rules.json rule "m" match.methods: must be a list',
    );
  });
});

describe('rule versions (Oathkeeper rule_migrator.go)', () => {
  const hydrator = (version: string | undefined, retry: Record<string, unknown>) => ({
    ...rule('h', 'https://x/h'),
    ...(version === undefined ? {} : { version }),
    mutators: [
      { handler: 'noop' },
      { handler: 'hydrator', config: { api: { url: 'http://h.test/' }, retry } },
    ],
  });

  it('converts the hydrator retry keys of a rule up to 0.32.0-beta.1, as Oathkeeper', () => {
    const [old] = parsed(
      JSON.stringify([hydrator('v0.31.0', { number_of_retries: 3, delay_in_milliseconds: 100 })]),
    );
    expect(old?.rule.mutators[1]?.config).toEqual({
      api: { url: 'http://h.test/' },
      retry: { max_delay: '100ms', give_up_after: '300ms' },
    });
    expect(old?.rule.version).toBe(OATHKEEPER_VERSION);
    // Oathkeeper's own test case: 5 retries of 500 ms; a missing delay counts as 100 ms.
    const [beta] = parsed(
      JSON.stringify([hydrator('0.30.0-beta.1', { delay_in_milliseconds: 500, number_of_retries: 5 })]),
    );
    expect(beta?.rule.mutators[1]?.config?.retry).toEqual({ max_delay: '500ms', give_up_after: '2500ms' });
    const [noDelay] = parsed(JSON.stringify([hydrator('v0.32.0-beta.1', { number_of_retries: 4 })]));
    expect(noDelay?.rule.mutators[1]?.config?.retry).toEqual({ give_up_after: '400ms' });
  });

  it('leaves newer rules, and rules without a version, as they are', () => {
    for (const version of ['v0.32.0', '0.40.6', '', undefined]) {
      const [kept] = parsed(JSON.stringify([hydrator(version, { number_of_retries: 3 })]));
      expect(kept?.rule.mutators[1]?.config?.retry, String(version)).toEqual({ number_of_retries: 3 });
    }
  });

  it('rewrites $1 references of keto_engine_acp_ory up to 0.37.0', () => {
    const [keto] = parsed(
      JSON.stringify([
        {
          ...rule('k', 'https://x/k'),
          version: 'v0.33.0',
          authorizer: {
            handler: 'keto_engine_acp_ory',
            config: {
              required_action: 'my:action:$1',
              required_resource: 'my:resource:$2:foo:$1',
              flavor: 'exact',
            },
          },
        },
      ]),
    );
    expect(keto?.rule.authorizer.config).toEqual({
      required_action: 'my:action:{{ printIndex .MatchContext.RegexpCaptureGroups (sub 1 1 | int)}}',
      required_resource:
        'my:resource:{{ printIndex .MatchContext.RegexpCaptureGroups (sub 2 1 | int)}}:foo:{{ printIndex .MatchContext.RegexpCaptureGroups (sub 1 1 | int)}}',
      flavor: 'exact',
    });
  });

  it('refuses the document when a version is not semver, as Oathkeeper', () => {
    for (const [version, reason] of [
      ['latest', 'No Major.Minor.Patch elements found'],
      ['v1.2', 'No Major.Minor.Patch elements found'],
      ['01.2.3', 'Major number must not contain leading zeroes "01"'],
      ['1.2.3-beta..1', 'Prerelease is empty'],
      ['vv1.2.3', 'Invalid character(s) found in major number "v1"'],
    ] as const) {
      const issues = refused(
        JSON.stringify([rule('ok', 'https://x/'), { ...rule('v', 'https://x/v'), version }]),
      );
      expect(issues, String(version)).toEqual([
        expect.objectContaining({
          ruleId: 'v',
          index: 1,
          field: 'version',
          message: expect.stringContaining(reason),
        }),
      ]);
    }
    expect(refused(JSON.stringify([{ ...rule('n', 'https://x/'), version: 1 }]))[0]?.field).toBe('version');
  });
});
