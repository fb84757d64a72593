import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir, type TempDir } from '../../config/testing/temp-dir.js';
import type { OutboundHttp, OutboundRequest } from '../../kernel/http-client.js';
import { silentLogger } from '../../kernel/logger.js';
import type { MatchingStrategy } from '../config.js';
import { RuleLoadError } from './errors.js';
import type { MatchResult, RuleRepository } from './model.js';
import { createRuleRepository, INVALID_RULE_MESSAGE, type RuleRepositoryDeps } from './repository.js';
import { EXAM_RULE, rule } from './testing/fixtures.js';

let dir: TempDir;
const open: RuleRepository[] = [];

beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  for (const repository of open.splice(0)) repository.close();
  await dir.cleanup();
});

const noHttp: OutboundHttp = {
  request: () => Promise.reject(new Error('no network in this test')),
};

async function repositoryOf(
  repositories: string[],
  strategy: MatchingStrategy = 'regexp',
  deps: Partial<RuleRepositoryDeps> = {},
): Promise<RuleRepository> {
  const repository = await createRuleRepository(
    { repositories, matchingStrategy: strategy },
    { http: noHttp, logger: silentLogger(), cwd: dir.path, debounceMs: 20, ...deps },
  );
  open.push(repository);
  return repository;
}

function inline(rules: unknown): string {
  return `inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`;
}

function summary(result: MatchResult): string {
  switch (result.kind) {
    case 'matched':
      return `${result.rule.id} ${JSON.stringify(result.captures)}`;
    case 'too_many_rules':
      return `too many: ${result.ruleIds.join(',')}`;
    case 'no_rule':
      return 'no rule';
    case 'bad_url':
      return `bad url: ${result.reason}`;
    case 'invalid_rule':
      return `invalid: ${result.rule.id}`;
  }
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createRuleRepository', () => {
  it("matches issue #6's rule and exposes the capture group", async () => {
    const repository = await repositoryOf([inline([EXAM_RULE])]);
    expect(repository.rules().map((r) => r.id)).toEqual(['exam-taking-rule']);
    expect(summary(repository.match('GET', 'https://exam-taking.example.com/exam/1?x=1'))).toBe(
      'exam-taking-rule ["exam/1"]',
    );
    expect(summary(repository.match('DELETE', 'https://exam-taking.example.com/exam/1'))).toBe('no rule');
    // Methods compare without regard to case, as Oathkeeper's (X-Forwarded-Method may say `get`).
    expect(summary(repository.match('get', 'https://exam-taking.example.com/exam/1'))).toBe(
      'exam-taking-rule ["exam/1"]',
    );
    expect(repository.get('exam-taking-rule')?.upstream.url).toBe('http://exam-taking-frontend:8501');
  });

  it('matches a rule written with lower-case methods, and never one with none', async () => {
    const repository = await repositoryOf([
      inline([
        rule('lower', 'https://a.example/l', ['get']),
        { ...rule('none', 'https://a.example/n'), match: { url: 'https://a.example/n' } },
      ]),
    ]);
    expect(summary(repository.match('GET', 'https://a.example/l'))).toBe('lower []');
    expect(summary(repository.match('GET', 'https://a.example/n'))).toBe('no rule');
  });

  it('needs exactly one rule: none is no_rule, several are too_many_rules', async () => {
    const repository = await repositoryOf([
      inline([rule('all', 'https://a.example/<.*>'), rule('users', 'https://a.example/users<.*>')]),
    ]);
    expect(summary(repository.match('GET', 'https://a.example/users/1'))).toBe('too many: all,users');
    expect(summary(repository.match('GET', 'https://a.example/x'))).toBe('all ["x"]');
    expect(summary(repository.match('GET', 'https://b.example/x'))).toBe('no rule');
  });

  it('matches the normalised URL and refuses tricks before matching', async () => {
    const repository = await repositoryOf([
      inline([rule('public', 'https://a.example/public/<.*>'), rule('admin', 'https://a.example/admin')]),
    ]);
    const table: [string, string][] = [
      ['https://a.example/public/../admin', 'admin []'],
      ['https://a.example/public/%2e%2e/admin', 'bad url: encoded_dot_segment'],
      ['https://a.example/public%2f..%2fadmin', 'bad url: encoded_slash'],
      ['https://a.example/public/..%2fadmin', 'bad url: encoded_slash'],
      ['https://a.example/public\\..\\admin', 'bad url: backslash'],
      ['https://a.example//admin', 'admin []'],
      ['https://a.example/ADMIN', 'no rule'],
      ['https://A.EXAMPLE./admin', 'admin []'],
      ['https://a.example:443/public/x', 'public ["x"]'],
      ['https://a.example/%70ublic/x', 'public ["x"]'],
      [`https://a.example/public/${'x'.repeat(5000)}`, 'bad url: too_long'],
    ];
    for (const [url, expected] of table) expect(summary(repository.match('GET', url)), url).toBe(expected);
  });

  it('matches with the glob strategy (no capture groups)', async () => {
    const repository = await repositoryOf([inline([rule('glob', 'https://<*>.example.com/<**>')])], 'glob');
    expect(summary(repository.match('GET', 'https://app.example.com/a/b'))).toBe('glob []');
    expect(summary(repository.match('GET', 'https://a.b.example.com/a'))).toBe('no rule');
  });

  it('reads JSON and YAML files, relative to cwd, in repository order', async () => {
    await dir.write('a.json', JSON.stringify([rule('a', 'https://a.example/')]));
    await dir.write(
      'b.yaml',
      '- id: b\n  match: {url: "https://b.example/", methods: [GET]}\n  authenticators: [{handler: noop}]\n  authorizer: {handler: allow}\n  mutators: [{handler: noop}]\n',
    );
    const repository = await repositoryOf(['file://a.json', `file://${join(dir.path, 'b.yaml')}`]);
    expect(repository.rules().map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('fetches http(s) repositories through OutboundHttp', async () => {
    const requests: OutboundRequest[] = [];
    const http: OutboundHttp = {
      request: async (request) => {
        requests.push(request);
        return {
          status: 200,
          headers: {},
          firstHeaders: {},
          body: Buffer.from(JSON.stringify([rule('remote', 'https://r.example/')])),
        };
      },
    };
    const repository = await repositoryOf(['https://rules.example/rules.json'], 'regexp', { http });
    expect(repository.rules().map((r) => r.id)).toEqual(['remote']);
    expect(requests).toMatchObject([{ url: 'https://rules.example/rules.json', method: 'GET' }]);
  });

  it('fails at startup for a repository it cannot use: unknown scheme, inline or http not decodable', async () => {
    const error = await repositoryOf(['file://missing.json', 's3://bucket/rules.json']).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RuleLoadError);
    expect((error as RuleLoadError).issues).toEqual([
      expect.objectContaining({
        source: 's3://bucket/rules.json',
        message: expect.stringMatching(/unsupported/),
      }),
    ]);
    const http: OutboundHttp = {
      request: async () => ({
        status: 200,
        headers: {},
        firstHeaders: {},
        body: Buffer.from('[{"id": "x", '),
      }),
    };
    const error2 = await repositoryOf(
      [`inline://${Buffer.from('{"not": "a list"}').toString('base64')}`, 'https://rules.example/r.json'],
      'regexp',
      { http },
    ).catch((e: unknown) => e);
    expect((error2 as RuleLoadError).issues.map((i) => [i.source, i.message])).toEqual([
      ['inline://…', 'expected an array of access rules'],
      ['https://rules.example/r.json', expect.stringMatching(/^neither JSON nor YAML/)],
    ]);
    const error3 = await repositoryOf([inline([{ ...rule('v', 'https://a/'), version: 'latest' }])]).catch(
      (e: unknown) => e,
    );
    expect((error3 as RuleLoadError).issues).toMatchObject([{ ruleId: 'v', field: 'version' }]);
  });

  it('skips, and logs, a local file it cannot read or decode at startup, as Oathkeeper', async () => {
    await dir.write('broken.json', '[{"id": "x", ');
    const logger = silentLogger();
    const error = vi.spyOn(logger, 'error');
    const repository = await repositoryOf(
      ['file://missing.json', 'file://broken.json', inline([rule('ok', 'https://a.example/')])],
      'regexp',
      { logger },
    );
    expect(repository.rules().map((r) => r.id)).toEqual(['ok']);
    expect(error.mock.calls.map((call) => (call[0] as { source: string }).source)).toEqual([
      'file://missing.json',
      'file://broken.json',
    ]);
  });

  it('keeps a rule that fails validation as invalid: logged, matched, failing closed; the others load', async () => {
    const logger = silentLogger();
    const error = vi.spyOn(logger, 'error');
    const repository = await repositoryOf(
      [
        inline([
          rule('ok', 'https://a.example/ok'),
          { ...rule('no-authn', 'https://a.example/bad'), authenticators: [] },
          rule('bad-pattern', 'https://a.example/<(?U)a>', ['POST']),
          { ...rule('overlap', 'https://a.example/<.*>'), mutators: [] },
        ]),
      ],
      'regexp',
      { logger },
    );
    expect(repository.rules().map((r) => r.id)).toEqual(['ok']);
    expect(repository.get('no-authn')).toBeUndefined();
    expect(summary(repository.match('GET', 'https://a.example/bad'))).toBe('too many: no-authn,overlap');
    expect(summary(repository.match('GET', 'https://a.example/elsewhere'))).toBe('invalid: overlap');
    expect(summary(repository.match('GET', 'https://a.example/ok'))).toBe('too many: ok,overlap');
    // A pattern that does not compile fails every request with a method it lists, as Oathkeeper.
    expect(summary(repository.match('POST', 'https://b.example/'))).toBe('invalid: bad-pattern');
    expect(error.mock.calls.map((call) => [(call[0] as { rule_id: string }).rule_id, call[1]])).toEqual([
      ['no-authn', INVALID_RULE_MESSAGE],
      ['overlap', INVALID_RULE_MESSAGE],
      ['bad-pattern', INVALID_RULE_MESSAGE],
    ]);
    const match = repository.match('POST', 'https://b.example/');
    expect(match.kind === 'invalid_rule' && match.issues).toEqual([
      expect.objectContaining({ field: 'match.url', message: expect.stringMatching(/inline flag U/) }),
    ]);
  });

  it('fails every request for a rule without a match, as Oathkeeper', async () => {
    const { match: _match, ...noMatch } = rule('no-match', 'https://a.example/');
    const repository = await repositoryOf([inline([rule('ok', 'https://a.example/ok'), noMatch])]);
    expect(summary(repository.match('GET', 'https://a.example/ok'))).toBe('invalid: no-match');
    expect(summary(repository.match('DELETE', 'https://x.example/'))).toBe('invalid: no-match');
  });

  it('takes ids as Oathkeeper: optional and repeated, in one repository or several; get is the first', async () => {
    const { id: _id, ...noId } = rule('x', 'https://a/none');
    const repository = await repositoryOf([
      inline([{ ...rule('a', 'https://a/'), description: 'first' }, noId]),
      inline([{ ...rule('a', 'https://b/'), description: 'second' }]),
    ]);
    expect(repository.rules().map((r) => r.id)).toEqual(['a', '', 'a']);
    expect(repository.get('a')?.description).toBe('first');
    expect(summary(repository.match('GET', 'https://b/'))).toBe('a []');
    expect(summary(repository.match('GET', 'https://a/none'))).toBe(' []');
  });

  it('decides JSON or YAML by content, not by the file name', async () => {
    await dir.write(
      'rules.json',
      '- id: y\n  match: {url: "https://y.example/", methods: [GET]}\n  authenticators: [{handler: noop}]\n  authorizer: {handler: allow}\n  mutators: [{handler: noop}]\n',
    );
    const repository = await repositoryOf(['file://rules.json']);
    expect(repository.rules().map((r) => r.id)).toEqual(['y']);
  });

  it('runs the pipeline check on every rule when it loads; a rule it refuses fails closed', async () => {
    const checkRule = vi.fn((r: { id: string }) =>
      r.id === 'b' ? [{ field: 'authenticators.0.config', message: 'check_session_url is required' }] : [],
    );
    const repository = await repositoryOf(
      [inline([rule('a', 'https://a/'), rule('b', 'https://b/')])],
      'regexp',
      {
        checkRule,
      },
    );
    expect(checkRule).toHaveBeenCalledTimes(2);
    expect(summary(repository.match('GET', 'https://a/'))).toBe('a []');
    const match = repository.match('GET', 'https://b/');
    expect(match.kind === 'invalid_rule' && match.issues).toMatchObject([
      { ruleId: 'b', index: 1, field: 'authenticators.0.config', message: 'check_session_url is required' },
    ]);
  });

  it('applies an edit that breaks one rule: the other changes take effect, the broken rule fails closed', async () => {
    const file = await dir.write(
      'rules.json',
      JSON.stringify([rule('a', 'https://a.example/<.*>'), rule('b', 'https://b.example/')]),
    );
    const repository = await repositoryOf(['file://rules.json'], 'regexp', { watch: false });
    expect(summary(repository.match('GET', 'https://a.example/admin'))).toBe('a ["admin"]');
    await writeFile(
      file,
      JSON.stringify([
        rule('a', 'https://a.example/public'),
        { ...rule('b', 'https://b.example/'), mutators: [] },
      ]),
    );
    expect(await repository.reload()).toBe(true);
    expect(summary(repository.match('GET', 'https://a.example/admin'))).toBe('no rule');
    expect(summary(repository.match('GET', 'https://b.example/'))).toBe('invalid: b');
  });

  it('reloads a watched file, and keeps the previous rules when the new file is broken', async () => {
    const file = await dir.write('rules.json', JSON.stringify([rule('v1', 'https://a.example/')]));
    const logger = silentLogger();
    const warn = vi.spyOn(logger, 'warn');
    const repository = await repositoryOf(['file://rules.json'], 'regexp', { logger });

    await writeFile(file, JSON.stringify([rule('v2', 'https://a.example/')]));
    await until(() => repository.get('v2') !== undefined);

    await writeFile(file, '[{"id": "v3", ');
    await until(() => warn.mock.calls.length > 0);
    expect(repository.rules().map((r) => r.id)).toEqual(['v2']);
    expect(warn.mock.calls[0]?.[1]).toBe('access rules not reloaded; the previous rules stay in force');

    // Replaced by rename, as editors and ConfigMaps do.
    const next = await dir.write('rules.json.tmp', JSON.stringify([rule('v4', 'https://a.example/')]));
    await rename(next, file);
    await until(() => repository.get('v4') !== undefined);
    expect(summary(repository.match('GET', 'https://a.example/'))).toBe('v4 []');
  });

  it('stops watching on close and reloads on demand', async () => {
    const file = await dir.write('rules.json', JSON.stringify([rule('v1', 'https://a.example/')]));
    const repository = await repositoryOf(['file://rules.json'], 'regexp', { watch: false });
    await writeFile(file, JSON.stringify([rule('v2', 'https://a.example/')]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(repository.get('v1')).toBeDefined();
    expect(await repository.reload()).toBe(true);
    expect(repository.get('v2')).toBeDefined();
    await writeFile(file, 'nope: [');
    expect(await repository.reload()).toBe(false);
    expect(repository.get('v2')).toBeDefined();
  });
});
