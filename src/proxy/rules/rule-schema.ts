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
 * JSON Schema of one access rule (Oathkeeper's `rule` in spec/api.json, made strict: unknown
 * keys are errors so a typo such as `authenticator` does not silently drop a step). The
 * checks Oathkeeper's validator makes (at least one authenticator and one mutator, an
 * authorizer handler, a match URL) are expressed here too.
 */
export const RULE_SCHEMA: JsonObject = {
  $id: 'portcullis://access-rule',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'match', 'authenticators', 'authorizer', 'mutators'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 190 },
    version: { type: 'string' },
    description: { type: 'string' },
    match: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'methods'],
      properties: {
        url: { type: 'string', minLength: 1 },
        methods: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: '^[A-Z][A-Z0-9_-]*$' },
        },
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
        url: { type: 'string', pattern: '^[hH][tT][tT][pP][sS]?://[^/?#]+' },
        preserve_host: { type: 'boolean' },
        strip_path: { type: 'string' },
      },
    },
  },
};
