import type { JsonObject } from '../../config/index.js';
import { goInt } from '../../kernel/go-int.js';
import type { Rule, RuleHandler } from './model.js';

/** A rule's JSON as Oathkeeper's `GET /rules` writes it. */
export interface RuleJson {
  id: string;
  version: string;
  description: string;
  match: { methods: readonly string[] | null; url: string };
  authenticators: HandlerJson[];
  authorizer: HandlerJson;
  mutators: HandlerJson[];
  errors: HandlerJson[] | null;
  upstream: { preserve_host: boolean; strip_path: string; url: string };
}

interface HandlerJson {
  handler: string;
  config: JsonObject | null;
}

/**
 * A rule in the shape encoding/json gives Oathkeeper's `rule.Rule`: its fields in struct
 * order (`match` is `methods` then `url`; `upstream` is `preserve_host`, `strip_path`, `url`),
 * every field present, and `null` for a list or a `config` the rule left out.
 */
export function ruleJson(rule: Rule): RuleJson {
  return {
    id: rule.id,
    version: rule.version,
    description: rule.description,
    match: { methods: rule.match.methods, url: rule.match.url },
    authenticators: rule.authenticators.map(handlerJson),
    authorizer: handlerJson(rule.authorizer),
    mutators: rule.mutators.map(handlerJson),
    errors: rule.errors === null ? null : rule.errors.map(handlerJson),
    upstream: {
      preserve_host: rule.upstream.preserve_host,
      strip_path: rule.upstream.strip_path,
      url: rule.upstream.url,
    },
  };
}

function handlerJson(handler: RuleHandler): HandlerJson {
  return { handler: handler.handler, config: handler.config };
}

/** Oathkeeper's `GET /rules` paging: ory/x `pagination.Parse(r, 50, 0, 500)`. */
export const RULES_PAGE = { defaultLimit: 50, defaultOffset: 0, maxLimit: 500 } as const;

/**
 * ory/x's `pagination.Parse` then `pagination.Index`: the `[start, end)` of the page `query`
 * asks for among `length` items. A value that is not a base-10 int64 takes the default; the
 * limit is capped, and both are at least 0.
 */
export function rulesPage(query: URLSearchParams, length: number): [start: number, end: number] {
  const offset = Math.max(0, goInt(query.get('offset') ?? undefined) ?? RULES_PAGE.defaultOffset);
  const limit = Math.max(
    0,
    Math.min(goInt(query.get('limit') ?? undefined) ?? RULES_PAGE.defaultLimit, RULES_PAGE.maxLimit),
  );
  if (offset > length) return [length, length];
  if (limit + offset > length) return [offset, length];
  return [offset, offset + limit];
}
