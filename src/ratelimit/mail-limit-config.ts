import { nonEmptyString, objectOrEmpty } from '../config/index.js';
import { parseDuration } from '../kernel/duration.js';
import type { FixedWindowRule } from './fixed-window.js';
import { MAIL_LIMIT_DEFAULTS } from './mail-limit-schema.js';

/** The rule `security.mail_limit` sets, or undefined when it is turned off. */
export function mailLimitRule(document: unknown): FixedWindowRule | undefined {
  const config = objectOrEmpty(objectOrEmpty(objectOrEmpty(document).security).mail_limit);
  if (config.enabled === false) return undefined;
  const limit = typeof config.per_address === 'number' ? config.per_address : MAIL_LIMIT_DEFAULTS.per_address;
  // The schema checked the pattern; a window that still does not parse (0s) keeps the default.
  const windowMs = parseDuration(nonEmptyString(config.window) ?? MAIL_LIMIT_DEFAULTS.window);
  return {
    limit: Math.max(1, Math.trunc(limit)),
    windowMs: windowMs !== undefined && windowMs >= 1 ? windowMs : 3_600_000,
  };
}
