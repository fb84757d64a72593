import type { MatchingStrategy } from '../config.js';
import type { RuleIssue } from './errors.js';
import type { MatchResult, Rule } from './model.js';
import type { ParsedRule } from './parse.js';
import { type CompiledPattern, compilePattern } from './pattern.js';
import { type NormalisedUrl, type NormaliseOptions, normaliseUrl } from './url.js';

/** A rule with its compiled `match.url`. */
export interface CompiledRule {
  readonly rule: Rule;
  readonly pattern: CompiledPattern;
  readonly methods: ReadonlySet<string>;
  /** Why the rule is invalid; empty for a valid rule. */
  readonly issues: readonly RuleIssue[];
}

/**
 * An invalid rule whose match cannot be evaluated: no `match` at all (every method), or a
 * `match.url` that does not compile (the methods it lists). Oathkeeper's matcher errs on such
 * a rule for every such request, whatever else matches; so does this one.
 */
export interface UnmatchableRule {
  readonly rule: Rule;
  /** Upper-case methods; undefined for every method. */
  readonly methods: ReadonlySet<string> | undefined;
  readonly issues: readonly RuleIssue[];
}

/** The rules of one or more repositories, ready to match. */
export interface RuleSet {
  /** Valid rules, in order: what `GET /rules` lists. */
  readonly valid: readonly CompiledRule[];
  /** Invalid rules, matched after the valid ones, as Oathkeeper's. */
  readonly invalid: readonly CompiledRule[];
  /** `valid` then `invalid`: the order requests are matched in. */
  readonly candidates: readonly CompiledRule[];
  readonly unmatchable: readonly UnmatchableRule[];
}

export const EMPTY_RULE_SET: RuleSet = { valid: [], invalid: [], candidates: [], unmatchable: [] };

const NEVER: CompiledPattern = { exec: () => undefined, engine: 'linear', prefix: '' };

/**
 * Compiles every rule's pattern with `strategy`. A rule whose pattern is refused becomes
 * invalid and unmatchable (see {@link UnmatchableRule}); one that was invalid already stays
 * matchable by its pattern.
 */
export function compileRules(
  rules: readonly ParsedRule[],
  strategy: MatchingStrategy,
  source: string,
): RuleSet {
  const valid: CompiledRule[] = [];
  const invalid: CompiledRule[] = [];
  const unmatchable: UnmatchableRule[] = [];
  rules.forEach(({ rule, issues, matchable }, index) => {
    const methods = new Set((rule.match.methods ?? []).map((m) => m.toUpperCase()));
    if (matchable === 'missing') {
      unmatchable.push({ rule, methods: undefined, issues });
      return;
    }
    // A gRPC match, or an empty URL (Oathkeeper's pattern then matches only an empty string),
    // is never an HTTP request's.
    const url = matchable === 'never' ? '' : rule.match.url;
    const result = url === '' ? { ok: true as const, pattern: NEVER } : compilePattern(url, strategy);
    if (!result.ok) {
      const ruleId = rule.id === '' ? undefined : rule.id;
      const issue: RuleIssue = { source, ruleId, index, field: 'match.url', message: result.message };
      unmatchable.push({ rule, methods, issues: [...issues, issue] });
      return;
    }
    (issues.length === 0 ? valid : invalid).push({ rule, pattern: result.pattern, methods, issues });
  });
  return { valid, invalid, candidates: [...valid, ...invalid], unmatchable };
}

/** Several sets as one, in order. */
export function joinRuleSets(sets: readonly RuleSet[]): RuleSet {
  const valid = sets.flatMap((set) => set.valid);
  const invalid = sets.flatMap((set) => set.invalid);
  return {
    valid,
    invalid,
    candidates: [...valid, ...invalid],
    unmatchable: sets.flatMap((set) => set.unmatchable),
  };
}

/**
 * Finds the one rule for a request, as Oathkeeper: the method must be listed (in any case)
 * and the pattern must match `scheme://host/path` of the normalised URL. None is
 * `no_rule`, several are `too_many_rules`, and exactly one invalid rule is `invalid_rule`;
 * an unmatchable rule listing the method makes it `invalid_rule` whatever else matches.
 */
export function matchRules(
  rules: RuleSet,
  method: string,
  url: string | NormalisedUrl,
  options: NormaliseOptions = {},
): MatchResult {
  let normalised: NormalisedUrl;
  if (typeof url === 'string') {
    const result = normaliseUrl(url, options);
    if (!result.ok) return { kind: 'bad_url', reason: result.reason, message: result.message };
    normalised = result.url;
  } else {
    normalised = url;
  }
  // Case-blind as Oathkeeper's (strings.EqualFold): X-Forwarded-Method may say `get`.
  const wanted = method.toUpperCase();
  for (const broken of rules.unmatchable)
    if (broken.methods === undefined || broken.methods.has(wanted))
      return { kind: 'invalid_rule', url: normalised, rule: broken.rule, issues: broken.issues };
  let found: { compiled: CompiledRule; captures: readonly string[] } | undefined;
  let ruleIds: string[] | undefined;
  for (const candidate of rules.candidates) {
    if (!candidate.methods.has(wanted)) continue;
    const captures = candidate.pattern.exec(normalised.matchTarget);
    if (captures === undefined) continue;
    if (found === undefined) {
      found = { compiled: candidate, captures };
    } else {
      ruleIds ??= [found.compiled.rule.id];
      ruleIds.push(candidate.rule.id);
    }
  }
  if (ruleIds !== undefined) return { kind: 'too_many_rules', url: normalised, ruleIds };
  if (found === undefined) return { kind: 'no_rule', url: normalised };
  const { compiled, captures } = found;
  if (compiled.issues.length > 0)
    return { kind: 'invalid_rule', url: normalised, rule: compiled.rule, issues: compiled.issues };
  return { kind: 'matched', rule: compiled.rule, url: normalised, captures };
}
