import type { JsonObject } from '../config/index.js';
import { BRUTE_FORCE_DEFAULTS, type BruteForceLimitInput } from './config.js';

// Kratos's duration pattern, so that durations read the same everywhere in the file.
const DURATION_PATTERN = '^([0-9]+(ns|us|ms|s|m|h))+$';

function limitSchema(
  title: string,
  description: string,
  defaults: Required<BruteForceLimitInput>,
): JsonObject {
  return {
    title,
    description,
    type: 'object',
    additionalProperties: false,
    properties: {
      free_attempts: {
        type: 'integer',
        minimum: 1,
        default: defaults.free_attempts,
        description: 'Failed logins allowed back to back in one window before any wait.',
      },
      base_delay: {
        type: 'string',
        pattern: DURATION_PATTERN,
        default: defaults.base_delay,
        description: 'Wait imposed after the last free failure; it doubles with each further failure.',
      },
      max_delay: {
        type: 'string',
        pattern: DURATION_PATTERN,
        default: defaults.max_delay,
        description: 'Longest single wait. At least base_delay and at most window.',
      },
      window: {
        type: 'string',
        pattern: DURATION_PATTERN,
        default: defaults.window,
        description: 'Opened by the first failure; when it ends the count starts over.',
      },
    },
  };
}

/**
 * JSON Schema of `security.brute_force`, a Portcullis extension (Kratos has no such key). The
 * cross-field rules (`base_delay <= max_delay <= window`, parsable networks) are checked by
 * `resolveBruteForceConfig`, which the schema cannot express.
 */
export const BRUTE_FORCE_CONFIG_SCHEMA: JsonObject = {
  title: 'Brute-force protection (Portcullis)',
  description:
    'Failed logins are counted per identifier and per client IP. Past the free attempts, the login ' +
    'endpoint answers 429 with Retry-After, with waits that double up to max_delay. Counters live in ' +
    'Redis when cache.redis.url is set, in process otherwise.',
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: BRUTE_FORCE_DEFAULTS.enabled },
    per_identifier: limitSchema(
      'Per identifier',
      'Bounds guesses against one account, whatever the number of IPs they come from. A successful login resets it.',
      BRUTE_FORCE_DEFAULTS.per_identifier,
    ),
    per_ip: limitSchema(
      'Per client IP',
      'Bounds password spraying across accounts from one address (an IPv6 client counts by its /64). ' +
        'Set it high enough for many users behind one NAT.',
      BRUTE_FORCE_DEFAULTS.per_ip,
    ),
    trusted_proxies: {
      type: 'array',
      items: { type: 'string', examples: ['10.0.0.0/8', '2001:db8::/32', '127.0.0.1'] },
      default: [],
      description:
        'Reverse proxies (CIDR or single address) whose X-Forwarded-For entries are believed. ' +
        'Empty: the header is ignored and the direct peer is the client.',
    },
  },
};
