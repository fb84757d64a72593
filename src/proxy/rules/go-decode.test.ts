import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { OATHKEEPER_VERSION } from './migrate.js';
import { type ParsedRule, parseRuleDocument } from './parse.js';
import { rule } from './testing/fixtures.js';

/**
 * Access rules decoded as Oathkeeper's encoding/json decodes them: keys in any case reach their
 * fields (rule/rule.go Rule.UnmarshalJSON), with Go's exceptions.
 */

function parsed(text: string): readonly ParsedRule[] {
  const result = parseRuleDocument(text, 'file:///rules.json');
  if (!result.ok) throw new Error(`expected rules, got ${JSON.stringify(result.issues)}`);
  return result.rules;
}

function refusedBecause(text: string): string[] {
  const result = parseRuleDocument(text, 'file:///rules.json');
  if (result.ok) throw new Error('expected the document to be refused');
  return result.issues.map((i) => `${i.field}: ${i.message}`);
}

/** A rule written with Go's field names and other spellings, as Oathkeeper still loads it. */
const PASCAL = {
  ID: 'pascal',
  Version: 'v0.40.0',
  Description: 'written in another case',
  MATCH: { URL: 'https://app.example/<.*>', Methods: ['GET', 'POST'] },
  Authenticators: [{ Handler: 'cookie_session', Config: { check_session_url: 'https://kratos/whoami' } }],
  AUTHORIZER: { handler: 'allow' },
  Mutators: [{ HANDLER: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
  Errors: [{ Handler: 'json' }],
  Upstream: { URL: 'http://backend:8080', Preserve_Host: true, ſtrip_path: '/api' },
};

describe('access rule keys, as encoding/json matches them', () => {
  it('loads keys in any case into their fields, from JSON and YAML alike, with no warning', () => {
    const [json] = parsed(JSON.stringify([PASCAL]));
    const [yaml] = parsed(stringify([PASCAL]));
    expect(yaml).toEqual(json);
    expect(json?.issues).toEqual([]);
    expect(json?.warnings).toEqual([]);
    expect(json?.rule).toMatchObject({
      id: 'pascal',
      description: 'written in another case',
      match: { url: 'https://app.example/<.*>', methods: ['GET', 'POST'] },
      authenticators: [{ handler: 'cookie_session', config: { check_session_url: 'https://kratos/whoami' } }],
      authorizer: { handler: 'allow', config: null },
      mutators: [{ handler: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
      errors: [{ handler: 'json', config: null }],
      upstream: { url: 'http://backend:8080', preserve_host: true, strip_path: '/api' },
    });
  });

  it('refuses the document for the key "Match" spelled exactly so (Go decodes it into an interface)', () => {
    const { match, ...rest } = rule('m', 'https://x/');
    expect(refusedBecause(JSON.stringify([{ ...rest, Match: match }]))).toEqual([
      'Match: "Match" (spelled so) is a Go interface field Oathkeeper cannot decode into, so it refuses the document; write "match"',
    ]);
    // null leaves that field alone: the rule just has no match.
    const [nullMatch] = parsed(JSON.stringify([{ ...rest, Match: null }]));
    expect(nullMatch?.matchable).toBe('missing');
  });

  it('still warns about keys no field takes, and reads gRPC matches by an exact full_method only', () => {
    const [typo] = parsed(JSON.stringify([{ ...rule('t', 'https://x/'), Authenticator: [] }]));
    expect(typo?.warnings.map((w) => w.field)).toEqual(['Authenticator']);
    const [grpc, http] = parsed(
      JSON.stringify([
        { ...rule('g', 'https://x/g'), match: { Authority: 'a', full_method: 'x.Y/Z' } },
        { ...rule('h', 'https://x/h'), match: { URL: 'https://x/h', Full_Method: 'x.Y/Z' } },
      ]),
    );
    expect(grpc?.matchable).toBe('never');
    expect(http?.matchable).toBe('pattern');
    expect(http?.rule.match.url).toBe('https://x/h');
    expect(http?.warnings.map((w) => w.field)).toEqual(['match.Full_Method']);
  });

  it('lets the last of two spellings win, fills a struct from both, and refuses a wrong type either way', () => {
    const [twice] = parsed(
      JSON.stringify([
        {
          ...rule('first', 'https://x/'),
          ID: 'second',
          upstream: { url: 'http://a', preserve_host: true },
          Upstream: { URL: 'http://b', strip_path: null },
          Description: null,
        },
      ]),
    );
    expect(twice?.rule).toMatchObject({
      id: 'second',
      description: '',
      upstream: { url: 'http://b', preserve_host: true, strip_path: '' },
    });
    expect(refusedBecause(JSON.stringify([{ ...rule('x', 'https://x/'), Id: 5, ID: 'y' }]))).toEqual([
      'id: must be a string',
    ]);
  });

  it('migrates by the exact key "version" only, as Oathkeeper\'s gjson paths read it', () => {
    const [other] = parsed(JSON.stringify([{ ...rule('v', 'https://x/'), Version: 'latest' }]));
    expect(other?.rule.version).toBe(OATHKEEPER_VERSION);
    expect(refusedBecause(JSON.stringify([{ ...rule('v', 'https://x/'), version: 'latest' }]))).toHaveLength(
      1,
    );
  });

  it('keeps handler configs case-sensitive: their keys are checked by each handler schema', () => {
    const [rule0] = parsed(
      JSON.stringify([
        {
          ...rule('c', 'https://x/'),
          authenticators: [{ handler: 'cookie_session', config: { Check_Session_URL: 'https://k/' } }],
        },
      ]),
    );
    expect(rule0?.rule.authenticators[0]?.config).toEqual({ Check_Session_URL: 'https://k/' });
  });
});
