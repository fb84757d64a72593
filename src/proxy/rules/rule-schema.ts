import type { JsonObject } from '../../config/index.js';

const handler: JsonObject = {
  type: 'object',
  additionalProperties: false,
  required: ['handler'],
  properties: {
    handler: { type: 'string', minLength: 1 },
    config: { type: ['object', 'null'] },
  },
};

/**
 * JSON Schema of one access rule, checked after the rule decoded (parse.ts) with its null
 * values dropped (Go reads a null as the zero value). Oathkeeper's `rule` in spec/api.json
 * with `additionalProperties: false`, so that unknown keys are reported: parse.ts turns those
 * reports into warnings (Oathkeeper ignores unknown keys, so the rule still loads) and every
 * other failure into problems that make the rule invalid. The checks Oathkeeper's validator makes (at least one authenticator and one
 * mutator, an authorizer handler, a match URL) are expressed here too. A rule that fails is
 * kept as an invalid rule (it fails closed), as Oathkeeper keeps a rule its validator refuses.
 * `id` is not checked (Oathkeeper's validator never looks at it), nor are `match.methods`
 * entries (a method no request uses, `*` say, just never matches).
 */
export const RULE_SCHEMA: JsonObject = {
  $id: 'portcullis://access-rule',
  type: 'object',
  additionalProperties: false,
  required: ['match', 'authenticators', 'authorizer', 'mutators'],
  properties: {
    id: { type: 'string' },
    version: { type: 'string' },
    description: { type: 'string' },
    match: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { type: 'string', minLength: 1 },
        // As Oathkeeper: compared without regard to case, and a rule with none matches nothing.
        methods: { type: 'array', items: { type: 'string' } },
      },
    },
    authenticators: { type: 'array', minItems: 1, items: handler },
    authorizer: handler,
    mutators: { type: 'array', minItems: 1, items: handler },
    errors: { type: 'array', items: handler },
    upstream: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // Empty is allowed, as Oathkeeper's validator allows it: the decision API needs no upstream.
        url: { type: 'string', pattern: '^$|^[hH][tT][tT][pP][sS]?://[^/?#]+' },
        preserve_host: { type: 'boolean' },
        strip_path: { type: 'string' },
      },
    },
  },
};
