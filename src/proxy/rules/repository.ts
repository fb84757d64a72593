import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { OutboundHttp } from '../../kernel/http-client.js';
import type { Logger } from '../../kernel/logger.js';
import type { AccessRulesSettings } from '../config.js';
import { type RuleIssue, RuleLoadError } from './errors.js';
import { compileRules, EMPTY_RULE_SET, joinRuleSets, matchRules, type RuleSet } from './matcher.js';
import type { Rule, RuleRepository } from './model.js';
import { type ParsedRule, parseRuleDocument } from './parse.js';
import { type RuleSource, readSource, ruleSource } from './sources.js';

/** A problem a deeper check found in one rule (field relative to the rule). */
export interface RuleCheckIssue {
  readonly field: string;
  readonly message: string;
}

export interface RuleRepositoryDeps {
  /** Fetches `http(s)://` repositories. */
  readonly http: OutboundHttp;
  readonly logger: Logger;
  /** Base of relative `file://` paths. */
  readonly cwd: string;
  /**
   * Checks run on every rule when it loads, beside the schema: the pipeline plugs in here
   * (handler known and enabled, global config deep-merged with the rule's and validated). A
   * rule with problems is kept as an invalid rule (it fails closed).
   */
  readonly checkRule?: (rule: Rule) => readonly RuleCheckIssue[];
  /** Watch `file://` repositories and reload them on change; true unless set. */
  readonly watch?: boolean;
  /** Quiet time after the last file event before reloading; 200 ms unless set. */
  readonly debounceMs?: number;
  /** Longest request URL matched; longer ones are `bad_url` (`too_long`). 4096 unless set. */
  readonly maxUrlLength?: number;
}

interface Loaded {
  readonly rules: RuleSet;
  readonly digest: string;
  /** Keys the rules hold that Oathkeeper ignores (logged as warnings; the rules load). */
  readonly warnings: readonly RuleIssue[];
}

type LoadResult = { ok: true; loaded: Loaded } | { ok: false; issues: readonly RuleIssue[] };

/** Oathkeeper's words for a rule its validator refuses (rule/repository_memory.go). */
export const INVALID_RULE_MESSAGE =
  'A Rule uses a malformed configuration and all URLs matching this rule will not work. You should resolve this issue now.';

/**
 * Loads every repository of `access_rules.repositories` and keeps them current, as
 * Oathkeeper's fetcher and in-memory repository do:
 *
 * - Each rule stands alone. A rule that fails validation (unknown or disabled handler, bad
 *   config, bad `upstream.url`, a pattern that does not compile, ...) is logged as an error
 *   and kept as an invalid rule: it is matched like any rule, and a request it matches fails
 *   closed (`invalid_rule`, answered 500); the valid rules load. A reload applies the same way,
 *   so a broken rule never holds back the rest of the edit.
 * - A document that cannot be decoded (neither JSON nor YAML, not an array, a bad `version`, a
 *   value of the wrong type) is refused as a whole: at startup a {@link RuleLoadError} for
 *   `inline://` and `http(s)://` repositories; a `file://` repository that cannot be read or
 *   decoded at startup is logged and holds no rules until it can. Later, a repository that
 *   cannot be read or decoded is logged and its previous rules stay in force.
 * - Ids are free-form, may be empty and may repeat; `get` returns the first valid rule.
 */
export async function createRuleRepository(
  config: AccessRulesSettings,
  deps: RuleRepositoryDeps,
): Promise<RuleRepository> {
  const sources: RuleSource[] = [];
  const sourceIssues: RuleIssue[] = [];
  for (const url of config.repositories) {
    const result = ruleSource(url, deps.cwd);
    if (result.ok) sources.push(result.source);
    else
      sourceIssues.push({
        source: url,
        ruleId: undefined,
        index: undefined,
        field: '',
        message: result.message,
      });
  }
  if (sourceIssues.length > 0) throw new RuleLoadError(sourceIssues);

  const load = async (source: RuleSource): Promise<LoadResult> => {
    let text: string;
    try {
      text = await readSource(source, deps.http);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, issues: [issue(source, `cannot read: ${message}`)] };
    }
    const parsed = parseRuleDocument(text, source.url);
    if (!parsed.ok) return parsed;
    const checked: ParsedRule[] = parsed.rules.map((entry, index) => {
      const found = deps.checkRule?.(entry.rule) ?? [];
      if (found.length === 0) return entry;
      const ruleId = entry.rule.id === '' ? undefined : entry.rule.id;
      const more = found.map((problem) => ({ source: source.url, ruleId, index, ...problem }));
      return { ...entry, issues: [...entry.issues, ...more] };
    });
    return {
      ok: true,
      loaded: {
        rules: compileRules(checked, config.matchingStrategy, source.url),
        digest: createHash('sha256').update(text).digest('hex'),
        warnings: checked.flatMap((entry) => entry.warnings),
      },
    };
  };

  const reportInvalid = (source: RuleSource, loaded: Loaded): void => {
    const { rules } = loaded;
    for (const ignored of loaded.warnings)
      deps.logger.warn(
        { source: source.url, rule_id: ignored.ruleId, index: ignored.index, field: ignored.field },
        `access rule key "${ignored.field}" is unknown and ignored (as Oathkeeper ignores it); check it for a typo`,
      );
    for (const broken of [...rules.invalid, ...rules.unmatchable])
      deps.logger.error(
        {
          source: source.url,
          rule_id: broken.rule.id,
          index: broken.issues[0]?.index,
          problems: broken.issues.map((i) => (i.field === '' ? i.message : `${i.field}: ${i.message}`)),
        },
        INVALID_RULE_MESSAGE,
      );
  };

  const initial = await Promise.all(sources.map(load));
  const startIssues: RuleIssue[] = [];
  const state: Loaded[] = initial.map((result, index) => {
    const source = sources[index] as RuleSource;
    if (result.ok) {
      reportInvalid(source, result.loaded);
      return result.loaded;
    }
    // As Oathkeeper's watcher: a local file it cannot read or decode is logged and skipped.
    if (source.kind === 'file')
      deps.logger.error(
        { source: source.url, issues: result.issues },
        'access rules cannot be loaded from this file; it holds no rules until it can',
      );
    else startIssues.push(...result.issues);
    return { rules: EMPTY_RULE_SET, digest: '', warnings: [] };
  });
  if (startIssues.length > 0) throw new RuleLoadError(startIssues);

  let all = joinRuleSets(state.map((loaded) => loaded.rules));
  let allRules = all.valid.map((compiled) => compiled.rule);

  const reloadOne = async (index: number): Promise<boolean> => {
    const source = sources[index];
    if (source === undefined) return false;
    const result = await load(source);
    if (!result.ok) {
      deps.logger.warn(
        { source: source.url, issues: result.issues },
        'access rules not reloaded; the previous rules stay in force',
      );
      return false;
    }
    if (result.loaded.digest === state[index]?.digest) return true;
    state[index] = result.loaded;
    all = joinRuleSets(state.map((loaded) => loaded.rules));
    allRules = all.valid.map((compiled) => compiled.rule);
    reportInvalid(source, result.loaded);
    const { valid, invalid, unmatchable } = result.loaded.rules;
    deps.logger.info(
      { source: source.url, rules: valid.length, invalid: invalid.length + unmatchable.length },
      'access rules reloaded',
    );
    return true;
  };

  // One reload at a time per source, so a slow read cannot overwrite a newer one.
  const queues = sources.map(() => Promise.resolve(true));
  const enqueue = (index: number): Promise<boolean> => {
    const next = (queues[index] ?? Promise.resolve(true)).then(() => reloadOne(index));
    queues[index] = next;
    return next;
  };

  const watchers: FSWatcher[] = [];
  const timers = new Map<number, NodeJS.Timeout>();
  let closed = false;
  if (deps.watch ?? true) {
    const debounceMs = deps.debounceMs ?? 200;
    sources.forEach((source, index) => {
      if (source.kind !== 'file') return;
      // Watch the directory: editors and Kubernetes ConfigMaps replace the file rather than
      // write it in place. Unrelated events cost one read; an unchanged digest is ignored.
      const name = basename(source.path);
      try {
        const watcher = watch(dirname(source.path), { persistent: false }, (_event, filename) => {
          if (closed || (filename !== null && filename !== name && !filename.startsWith('..'))) return;
          clearTimeout(timers.get(index));
          timers.set(
            index,
            setTimeout(() => {
              timers.delete(index);
              void enqueue(index);
            }, debounceMs),
          );
        });
        watcher.on('error', (error) =>
          deps.logger.warn({ source: source.url, err: error }, 'access rules watch failed'),
        );
        watchers.push(watcher);
      } catch (error) {
        deps.logger.warn(
          { source: source.url, err: error },
          'access rules cannot be watched; changes need a restart',
        );
      }
    });
  }

  return {
    rules: () => allRules,
    get: (id) => all.valid.find((compiled) => compiled.rule.id === id)?.rule,
    match: (method, url) => matchRules(all, method, url, { maxLength: deps.maxUrlLength }),
    reload: async () => {
      const results = await Promise.all(sources.map((_, index) => enqueue(index)));
      return results.every(Boolean);
    },
    close: () => {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      for (const watcher of watchers) watcher.close();
    },
  };
}

function issue(source: RuleSource, message: string): RuleIssue {
  return { source: source.url, ruleId: undefined, index: undefined, field: '', message };
}
