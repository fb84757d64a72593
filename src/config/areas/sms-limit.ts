import { parseDuration } from '../../kernel/duration.js';
import { objectOrEmpty } from '../document-read.js';
import type { ConfigIssue } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { KratosConfigDocument } from '../types.js';
import type { AreaResult } from './result.js';

/** Where the SMS cap sits in the config document. */
export const SMS_LIMIT_CONFIG_PATH = 'security.sms_limit';

/**
 * Defaults, as written in the file. Per client IP: 10 verification SMS an hour (a person signs
 * up or changes a number once or twice; a few share a NAT). In all: 200 an hour, so an attack
 * that rotates IPs and numbers costs at most 200 SMS an hour; a deployment that verifies more
 * phone numbers than that at its peak raises it.
 */
export const SMS_LIMIT_DEFAULTS = { enabled: true, per_ip: 10, total: 200, window: '1h' } as const;

/** One cap: at most `limit` SMS per `windowMs` (the shape of ratelimit's FixedWindowRule). */
export interface SmsCap {
  readonly limit: number;
  readonly windowMs: number;
}

/** `security.sms_limit` resolved (with `enabled` false nothing is capped). */
export interface SmsLimitConfig {
  readonly enabled: boolean;
  /** Verification SMS started by requests from one client IP (IPv6: its /64). */
  readonly perIp: SmsCap;
  /** Verification SMS of the whole deployment (every replica, with Redis). */
  readonly total: SmsCap;
}

/**
 * JSON Schema of `security.sms_limit`, a Portcullis extension (Kratos has no such limit), for the
 * config schema's `security` object.
 */
export const SMS_LIMIT_CONFIG_SCHEMA: JsonObject = {
  title: 'Verification SMS per client IP and in all (Portcullis)',
  description:
    'Against SMS pumping (toll fraud): at most per_ip verification SMS started by requests from one ' +
    'client IP, and at most total verification SMS in all, per window. Past a cap the SMS is not ' +
    'sent and a warning is logged; the flow answers as if it had been. Counters live in Redis when ' +
    'cache.redis.url is set, in process otherwise.',
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: SMS_LIMIT_DEFAULTS.enabled },
    per_ip: { type: 'integer', minimum: 1, default: SMS_LIMIT_DEFAULTS.per_ip },
    total: { type: 'integer', minimum: 1, default: SMS_LIMIT_DEFAULTS.total },
    window: {
      type: 'string',
      pattern: '^([0-9]+(ns|us|ms|s|m|h))+$',
      default: SMS_LIMIT_DEFAULTS.window,
      description: 'Opened by the first SMS; when it ends the counts start over.',
    },
  },
};

const KEYS = new Set(Object.keys(SMS_LIMIT_DEFAULTS));

/**
 * Reads `security.sms_limit`, defaults applied. Checks every key itself (not only through the
 * schema), so that a cap set wrong stops the start rather than silently leaving SMS unbounded.
 */
export function smsLimitConfig(document: KratosConfigDocument): AreaResult<SmsLimitConfig> {
  const input = objectOrEmpty(objectOrEmpty(document.security).sms_limit);
  const issues: ConfigIssue[] = [];
  const at = (key: string) => `${SMS_LIMIT_CONFIG_PATH}.${key}`;
  for (const key of Object.keys(input)) {
    if (!KEYS.has(key)) issues.push({ path: at(key), message: 'is not a known key' });
  }
  const enabled = input.enabled ?? SMS_LIMIT_DEFAULTS.enabled;
  if (typeof enabled !== 'boolean') issues.push({ path: at('enabled'), message: 'must be true or false' });
  const count = (key: 'per_ip' | 'total'): number => {
    const value = input[key] ?? SMS_LIMIT_DEFAULTS[key];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
    issues.push({ path: at(key), message: 'must be a whole number of at least 1' });
    return 1;
  };
  const perIp = count('per_ip');
  const total = count('total');
  const window = input.window ?? SMS_LIMIT_DEFAULTS.window;
  const windowMs = typeof window === 'string' ? parseDuration(window) : undefined;
  if (windowMs === undefined || windowMs < 1)
    issues.push({ path: at('window'), message: 'must be a duration of at least 1ms, such as 1h' });
  if (issues.length > 0) return { ok: false, issues };
  const ms = windowMs ?? 0;
  return {
    ok: true,
    value: {
      enabled: enabled === true,
      perIp: { limit: perIp, windowMs: ms },
      total: { limit: total, windowMs: ms },
    },
  };
}
