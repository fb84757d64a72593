import type { JsonObject } from '../config/index.js';

/** Enough for a person who mistypes or asks again, too few to bomb a mailbox. */
export const MAIL_LIMIT_DEFAULTS = { enabled: true, per_address: 5, window: '1h' } as const;

/**
 * JSON Schema of `security.mail_limit`, a Portcullis extension (Kratos has no such limit): how
 * many verification or recovery messages one address may be sent per window, against mail
 * bombing. Anyone who knows an address can use up its allowance, and the owner then waits for
 * the window to end to recover the account; raise it, or turn it off, where that matters more.
 */
export const MAIL_LIMIT_CONFIG_SCHEMA: JsonObject = {
  title: 'Messages per address (Portcullis)',
  description:
    'At most per_address verification (and, separately, recovery) messages to one address per window, ' +
    'known or not; the next request is 429 with Retry-After. Counters live in Redis when cache.redis.url ' +
    'is set, in process otherwise.',
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: MAIL_LIMIT_DEFAULTS.enabled },
    per_address: { type: 'integer', minimum: 1, default: MAIL_LIMIT_DEFAULTS.per_address },
    window: {
      type: 'string',
      pattern: '^([0-9]+(ns|us|ms|s|m|h))+$',
      default: MAIL_LIMIT_DEFAULTS.window,
      description: 'Opened by the first message; when it ends the count starts over.',
    },
  },
};
