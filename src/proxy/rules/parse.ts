import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { JsonObject, JsonValue } from '../../config/index.js';
import { isJsonObject } from '../../kernel/json.js';
import type { RuleIssue } from './errors.js';
import { goDecodeRule, goRuleId } from './go-decode.js';
import { migrateRule } from './migrate.js';
import type { Rule, RuleHandler } from './model.js';
import { RULE_SCHEMA } from './rule-schema.js';

/**
 * One decoded rule. `issues` is empty for a valid rule; an invalid one is kept, matched, and
 * fails closed (repository.ts), as Oathkeeper keeps the rules its validator refuses.
 */
export interface ParsedRule {
  readonly rule: Rule;
  readonly issues: readonly RuleIssue[];
  /**
   * Keys Oathkeeper's decoder ignores (rule/rule.go UnmarshalJSON: encoding/json drops unknown
   * fields): the rule still loads; the repository logs each as a warning, so that a typo such as
   * `authenticator` is seen rather than silently dropping a step.
   */
  readonly warnings: readonly RuleIssue[];
  /**
   * How the rule's `match` can be evaluated: `pattern` (its `match.url` and methods), `never`
   * (a gRPC match, `full_method`: never an HTTP request), or `missing` (no `match` key at all:
   * Oathkeeper then fails every request, since its matcher errs on such a rule).
   */
  readonly matchable: 'pattern' | 'never' | 'missing';
}

export type ParseResult =
  | { readonly ok: true; readonly rules: readonly ParsedRule[] }
  | { readonly ok: false; readonly issues: readonly RuleIssue[] };

const ajv = new Ajv({ allErrors: true, strict: true });
const validateRule = ajv.compile(RULE_SCHEMA);

/**
 * Decodes a repository document as Oathkeeper's fetcher does: JSON when the text is valid
 * JSON, YAML otherwise (whatever the file's name); a null or empty document holds no rules.
 * The document is refused as a whole — as Oathkeeper refuses to decode it — when it is neither
 * JSON nor YAML, not an array, holds a rule whose `version` is not a semantic version (see
 * migrate.ts), or a value of the wrong type (a string where a list is wanted, say). Anything
 * else wrong with a rule makes that rule invalid, not the document.
 */
export function parseRuleDocument(text: string, source: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = parseYaml(text, { maxAliasCount: 100 });
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return fail(source, `neither JSON nor YAML: ${message}`);
    }
  }
  if (value === null || value === undefined) return { ok: true, rules: [] };
  if (!Array.isArray(value)) return fail(source, 'expected an array of access rules');
  return decodeRules(value, source);
}

/** Decodes (and migrates) each rule, then validates it; see {@link parseRuleDocument}. */
export function decodeRules(values: readonly unknown[], source: string): ParseResult {
  const documentIssues: RuleIssue[] = [];
  const rules: ParsedRule[] = [];
  values.forEach((value, index) => {
    const id = isJsonObject(value) ? goRuleId(value) : undefined;
    const ruleId = id !== undefined && id !== '' ? id : undefined;
    const problem = (field: string, message: string): RuleIssue => ({
      source,
      ruleId,
      index,
      field,
      message,
    });
    if (!isJsonObject(value)) {
      documentIssues.push(problem('', 'must be an object'));
      return;
    }
    const migrated = migrateRule(value);
    if (!migrated.ok) {
      documentIssues.push(problem('version', migrated.message));
      return;
    }
    // Keys in any case, as encoding/json reads them; a value of the wrong type refuses the document.
    const { rule: decoded, problems } = goDecodeRule(migrated.rule);
    if (problems.length > 0) {
      for (const [field, message] of problems) documentIssues.push(problem(field, message));
      return;
    }
    const cleaned = withoutNulls(decoded);
    const errors = validateRule(cleaned) === true ? [] : (validateRule.errors ?? []);
    const issues = errors.filter((e) => !isUnknownKey(e)).map((error) => problem(...describe(error)));
    const warnings = errors.filter(isUnknownKey).map((error) => problem(...describe(error)));
    const match = decoded.match;
    const matchable = !Object.hasOwn(decoded, 'match')
      ? 'missing'
      : isJsonObject(match) && Object.hasOwn(match, 'full_method')
        ? 'never'
        : 'pattern';
    rules.push({ rule: toRule(decoded), issues, warnings, matchable });
  });
  return documentIssues.length === 0 ? { ok: true, rules } : { ok: false, issues: documentIssues };
}

/**
 * The decoded rule with its nulls read as Go reads them, for the rule schema: a null field is
 * absent, a null list entry an empty one. Handler configs are left as they are.
 */
function withoutNulls(rule: JsonObject): JsonObject {
  const clean = (value: JsonObject, keep: ReadonlySet<string> = NONE): JsonObject => {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) if (item !== null || keep.has(key)) out[key] = item;
    return out;
  };
  const handler = (value: JsonValue): JsonValue => (isJsonObject(value) ? clean(value, CONFIG) : {});
  const out = clean(rule);
  if (isJsonObject(out.match)) {
    const match = clean(out.match);
    if (Array.isArray(match.methods)) match.methods = match.methods.map((m) => m ?? '');
    out.match = match;
  }
  for (const key of ['authenticators', 'mutators', 'errors'] as const) {
    const items = out[key];
    if (Array.isArray(items)) out[key] = items.map(handler);
  }
  if (out.authorizer !== undefined) out.authorizer = handler(out.authorizer);
  if (isJsonObject(out.upstream)) out.upstream = clean(out.upstream);
  return out;
}

const NONE: ReadonlySet<string> = new Set();
const CONFIG: ReadonlySet<string> = new Set(['config']);

/** The rule as Oathkeeper holds it, Go's zero values for what is missing. */
function toRule(value: JsonObject): Rule {
  const match = object(value.match);
  const upstream = object(value.upstream);
  return {
    id: string(value.id),
    version: string(value.version),
    description: string(value.description),
    match: {
      url: string(match.url),
      methods: Array.isArray(match.methods) ? match.methods.map(string) : null,
    },
    authenticators: handlers(value.authenticators) ?? [],
    authorizer: handlerOf(value.authorizer),
    mutators: handlers(value.mutators) ?? [],
    errors: handlers(value.errors),
    upstream: {
      url: string(upstream.url),
      preserve_host: upstream.preserve_host === true,
      strip_path: string(upstream.strip_path),
    },
  };
}

/** An `additionalProperties` error: a key Oathkeeper would ignore. */
function isUnknownKey(error: ErrorObject): boolean {
  return error.keyword === 'additionalProperties';
}

function describe(error: ErrorObject): [field: string, message: string] {
  const path = error.instancePath.split('/').slice(1).map(unescapePointer);
  const params: Record<string, unknown> = error.params;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string')
    return [[...path, params.missingProperty].join('.'), 'is required'];
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string')
    return [[...path, params.additionalProperty].join('.'), 'unknown key, ignored as Oathkeeper ignores it'];
  if (error.keyword === 'pattern' && path.join('.') === 'upstream.url')
    return ['upstream.url', 'must be an absolute http:// or https:// URL, or empty'];
  return [path.join('.'), error.message ?? error.keyword];
}

function fail(source: string, message: string): ParseResult {
  return { ok: false, issues: [{ source, ruleId: undefined, index: undefined, field: '', message }] };
}

function handlers(value: JsonValue | undefined): RuleHandler[] | null {
  return Array.isArray(value) ? value.map(handlerOf) : null;
}

function handlerOf(value: JsonValue | undefined): RuleHandler {
  const raw = object(value);
  return { handler: string(raw.handler), config: isJsonObject(raw.config) ? raw.config : null };
}

function unescapePointer(part: string): string {
  return part.replaceAll('~1', '/').replaceAll('~0', '~');
}

function object(value: JsonValue | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}

function string(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}
