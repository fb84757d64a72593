import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { JsonObject } from '../../config/index.js';
import type { RuleIssue } from './errors.js';
import type { Rule, RuleHandler } from './model.js';
import { RULE_SCHEMA } from './rule-schema.js';

export type RuleFormat = 'json' | 'yaml';

export type ParseResult =
  | { readonly ok: true; readonly rules: readonly Rule[] }
  | { readonly ok: false; readonly issues: readonly RuleIssue[] };

const ajv = new Ajv({ allErrors: true, strict: true });
const validateRule = ajv.compile(RULE_SCHEMA);

/**
 * Parses a repository document — a JSON or YAML array of rules, or an empty document (no
 * rules) — and validates every rule. Every problem is reported, naming the rule id and field.
 */
export function parseRuleDocument(text: string, source: string, format: RuleFormat): ParseResult {
  let value: unknown;
  try {
    value = format === 'json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return fail(source, `not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${message}`);
  }
  if (value === null || value === undefined) return { ok: true, rules: [] };
  if (!Array.isArray(value)) return fail(source, 'expected an array of access rules');
  return validateRules(value, source);
}

/** Validates decoded rules (the JSON Schema, then unique ids). */
export function validateRules(values: readonly unknown[], source: string): ParseResult {
  const issues: RuleIssue[] = [];
  const rules: Rule[] = [];
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    const ruleId = isObject(value) && typeof value.id === 'string' && value.id !== '' ? value.id : undefined;
    const valid = validateRule(value) && isObject(value);
    if (!valid)
      for (const error of validateRule.errors ?? [])
        issues.push({ source, ruleId, index, ...describe(error) });
    if (ruleId !== undefined) {
      const first = seen.get(ruleId);
      if (first !== undefined)
        issues.push({ source, ruleId, index, field: 'id', message: `duplicate id (also rule #${first})` });
      else seen.set(ruleId, index);
    }
    if (valid && isObject(value)) rules.push(toRule(value));
  });
  return issues.length === 0 ? { ok: true, rules } : { ok: false, issues };
}

function toRule(value: JsonObject): Rule {
  const match = object(value.match);
  const upstream = object(value.upstream);
  return {
    id: string(value.id),
    version: string(value.version),
    description: string(value.description),
    match: { url: string(match.url), methods: strings(match.methods) },
    authenticators: handlers(value.authenticators),
    authorizer: handlerOf(value.authorizer),
    mutators: handlers(value.mutators),
    errors: handlers(value.errors),
    upstream: {
      url: string(upstream.url),
      preserve_host: upstream.preserve_host === true,
      strip_path: string(upstream.strip_path),
    },
  };
}

function describe(error: ErrorObject): { field: string; message: string } {
  const path = error.instancePath.split('/').slice(1).map(unescapePointer);
  const params: Record<string, unknown> = error.params;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string')
    return { field: [...path, params.missingProperty].join('.'), message: 'is required' };
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string')
    return { field: [...path, params.additionalProperty].join('.'), message: 'unknown key' };
  if (error.keyword === 'pattern' && path.at(-2) === 'methods')
    return { field: path.join('.'), message: 'must be an HTTP method name (GET, POST, ...)' };
  if (error.keyword === 'pattern' && path.join('.') === 'upstream.url')
    return { field: 'upstream.url', message: 'must be an absolute http:// or https:// URL, or empty' };
  return { field: path.join('.'), message: error.message ?? error.keyword };
}

function fail(source: string, message: string): ParseResult {
  return { ok: false, issues: [{ source, ruleId: undefined, index: undefined, field: '', message }] };
}

function handlers(value: unknown): RuleHandler[] {
  return Array.isArray(value) ? value.map(handlerOf) : [];
}

function handlerOf(value: unknown): RuleHandler {
  const raw = object(value);
  return { handler: string(raw.handler), config: isObject(raw.config) ? raw.config : undefined };
}

function unescapePointer(part: string): string {
  return part.replaceAll('~1', '/').replaceAll('~0', '~');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

function string(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
