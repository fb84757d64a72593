import type { MatchingStrategy } from '../config.js';
import type { RuleIssue } from './errors.js';
import type { MatchResult, Rule } from './model.js';
import { type CompiledPattern, compilePattern } from './pattern.js';
import { type NormalisedUrl, type NormaliseOptions, normaliseUrl } from './url.js';

/** A rule with its compiled `match.url`. */
export interface CompiledRule {
  readonly rule: Rule;
  readonly pattern: CompiledPattern;
  readonly methods: ReadonlySet<string>;
}

export type CompileRulesResult =
  | { readonly ok: true; readonly rules: readonly CompiledRule[] }
  | { readonly ok: false; readonly issues: readonly RuleIssue[] };

/** Compiles every rule's pattern with `strategy`; reports each pattern that is refused. */
export function compileRules(
  rules: readonly Rule[],
  strategy: MatchingStrategy,
  source: string,
): CompileRulesResult {
  const compiled: CompiledRule[] = [];
  const issues: RuleIssue[] = [];
  rules.forEach((rule, index) => {
    const result = compilePattern(rule.match.url, strategy);
    if (result.ok)
      compiled.push({
        rule,
        pattern: result.pattern,
        methods: new Set(rule.match.methods.map((m) => m.toUpperCase())),
      });
    else issues.push({ source, ruleId: rule.id, index, field: 'match.url', message: result.message });
  });
  return issues.length === 0 ? { ok: true, rules: compiled } : { ok: false, issues };
}

/**
 * Finds the one rule for a request, as Oathkeeper: the method must be listed (in any case)
 * and the pattern must match `scheme://host/path` of the normalised URL. None is
 * `no_rule`, several are `too_many_rules`.
 */
export function matchRules(
  rules: readonly CompiledRule[],
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
  let found: { rule: Rule; captures: readonly string[] } | undefined;
  let ruleIds: string[] | undefined;
  // Case-blind as Oathkeeper's (strings.EqualFold): X-Forwarded-Method may say `get`.
  const wanted = method.toUpperCase();
  for (const candidate of rules) {
    if (!candidate.methods.has(wanted)) continue;
    const captures = candidate.pattern.exec(normalised.matchTarget);
    if (captures === undefined) continue;
    if (found === undefined) {
      found = { rule: candidate.rule, captures };
    } else {
      ruleIds ??= [found.rule.id];
      ruleIds.push(candidate.rule.id);
    }
  }
  if (ruleIds !== undefined) return { kind: 'too_many_rules', url: normalised, ruleIds };
  if (found === undefined) return { kind: 'no_rule', url: normalised };
  return { kind: 'matched', rule: found.rule, url: normalised, captures: found.captures };
}
