import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { OutboundHttp } from '../../kernel/http-client.js';
import type { Logger } from '../../kernel/logger.js';
import type { AccessRulesSettings } from '../config.js';
import { type RuleIssue, RuleLoadError } from './errors.js';
import { type CompiledRule, compileRules, matchRules } from './matcher.js';
import type { Rule, RuleRepository } from './model.js';
import { parseRuleDocument } from './parse.js';
import { type RuleSource, readSource, ruleSource, sourceFormat } from './sources.js';

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
   * (handler known and enabled, global config deep-merged with the rule's and validated).
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
  readonly rules: readonly CompiledRule[];
  readonly digest: string;
}

type LoadResult = { ok: true; loaded: Loaded } | { ok: false; issues: readonly RuleIssue[] };

/**
 * Loads every repository of `access_rules.repositories` and keeps them current. Startup fails
 * with a {@link RuleLoadError} listing every problem; afterwards a file that becomes broken is
 * logged and its previous rules stay in force.
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
    const parsed = parseRuleDocument(text, source.url, sourceFormat(source));
    if (!parsed.ok) return parsed;
    const checked: RuleIssue[] = [];
    parsed.rules.forEach((rule, index) => {
      for (const found of deps.checkRule?.(rule) ?? [])
        checked.push({ source: source.url, ruleId: rule.id, index, ...found });
    });
    if (checked.length > 0) return { ok: false, issues: checked };
    const compiled = compileRules(parsed.rules, config.matchingStrategy, source.url);
    if (!compiled.ok) return compiled;
    return {
      ok: true,
      loaded: { rules: compiled.rules, digest: createHash('sha256').update(text).digest('hex') },
    };
  };

  const initial = await Promise.all(sources.map(load));
  const startIssues = initial.flatMap((result) => (result.ok ? [] : result.issues));
  const state = initial.flatMap((result) => (result.ok ? [result.loaded] : []));
  startIssues.push(...duplicates(sources, state));
  if (startIssues.length > 0) throw new RuleLoadError(startIssues);

  let all = flatten(state);
  let allRules = all.map((compiled) => compiled.rule);

  const apply = (index: number, loaded: Loaded): boolean => {
    const next = state.slice();
    next[index] = loaded;
    const duplicated = duplicates(sources, next);
    if (duplicated.length > 0) {
      deps.logger.warn({ issues: duplicated }, 'access rules not reloaded; the previous rules stay in force');
      return false;
    }
    state[index] = loaded;
    all = flatten(state);
    allRules = all.map((compiled) => compiled.rule);
    return true;
  };

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
    if (!apply(index, result.loaded)) return false;
    deps.logger.info({ source: source.url, rules: result.loaded.rules.length }, 'access rules reloaded');
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
    get: (id) => all.find((compiled) => compiled.rule.id === id)?.rule,
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

function flatten(state: readonly Loaded[]): readonly CompiledRule[] {
  return state.flatMap((loaded) => loaded.rules);
}

/** Ids defined in more than one repository. */
function duplicates(sources: readonly RuleSource[], state: readonly Loaded[]): RuleIssue[] {
  const seen = new Map<string, string>();
  const issues: RuleIssue[] = [];
  state.forEach((loaded, index) => {
    const url = sources[index]?.url ?? '';
    for (const { rule } of loaded.rules) {
      const other = seen.get(rule.id);
      if (other !== undefined)
        issues.push({
          source: url,
          ruleId: rule.id,
          index: undefined,
          field: 'id',
          message: `duplicate id (also in ${other})`,
        });
      else seen.set(rule.id, url);
    }
  });
  return issues;
}

function issue(source: RuleSource, message: string): RuleIssue {
  return { source: source.url, ruleId: undefined, index: undefined, field: '', message };
}
