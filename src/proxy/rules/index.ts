/**
 * Oathkeeper access rules: model, validation, repositories (`file://` watched, `inline://`,
 * `http(s)://`), URL normalisation and matching (`regexp` and `glob` strategies).
 *
 * @example
 * const repository = await createRuleRepository(accessRulesSettings(config.document), { http, logger, cwd });
 * const result = repository.match('GET', 'https://app.example.com/api/users');
 * if (result.kind === 'matched') ... // result.rule, result.url (normalised), result.captures
 * // 'invalid_rule': the request matched a rule that failed validation: fail closed (500)
 */

export { formatRuleIssues, type RuleIssue, RuleLoadError } from './errors.js';
export { OATHKEEPER_VERSION } from './migrate.js';
export type { MatchResult, Rule, RuleHandler, RuleRepository } from './model.js';
export { decodeRules, type ParsedRule, parseRuleDocument } from './parse.js';
export { type CompiledPattern, compilePattern } from './pattern.js';
export {
  createRuleRepository,
  INVALID_RULE_MESSAGE,
  type RuleCheckIssue,
  type RuleRepositoryDeps,
} from './repository.js';
export {
  DEFAULT_MAX_URL_LENGTH,
  type NormalisedUrl,
  type NormaliseResult,
  normaliseRequestTarget,
  normaliseUrl,
  type UrlRejectionReason,
} from './url.js';
