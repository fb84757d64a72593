import { parseDuration } from '../kernel/duration.js';
import type { AttemptRule } from './store.js';
import { parseProxyNetwork } from './trusted-proxies.js';

/** One limit as written in the config file (`security.brute_force.per_identifier`, `.per_ip`). */
export interface BruteForceLimitInput {
  /** Failed logins allowed back to back in one window before any wait. */
  readonly free_attempts?: number;
  /** Wait after the last free failure; doubles with each further failure. Kratos duration (`1s`). */
  readonly base_delay?: string;
  /** Cap on one wait (`15m`); at most `window`. */
  readonly max_delay?: string;
  /** Window opened by the first failure, after which the count starts over (`1h`). */
  readonly window?: string;
}

/** `security.brute_force` as written in the config file (a Portcullis extension; Kratos has none). */
export interface BruteForceConfigInput {
  readonly enabled?: boolean;
  readonly per_identifier?: BruteForceLimitInput;
  readonly per_ip?: BruteForceLimitInput;
  /** Networks (CIDR or single address, IPv4 or IPv6) whose X-Forwarded-For is believed. */
  readonly trusted_proxies?: readonly string[];
}

/** `security.brute_force` resolved: defaults applied, durations in milliseconds. */
export interface BruteForceConfig {
  readonly enabled: boolean;
  readonly perIdentifier: AttemptRule;
  readonly perIp: AttemptRule;
  readonly trustedProxies: readonly string[];
}

/** A problem with one key; assignable to the config loader's `ConfigIssue`. */
export interface BruteForceConfigIssue {
  /** Dotted key path, such as `security.brute_force.per_ip.window`. */
  readonly path: string;
  readonly message: string;
}

/**
 * Defaults, as they would be written in the file. Per identifier: 5 failures back to back, then
 * waits of 1 s, 2 s, 4 s … up to 15 min, counted over an hour, so an attacker gets 17 guesses in
 * the first hour on one account and at most 30 in any hour (login-throttle.budget.test.ts). Per IP: 100 failures, because many
 * users can share one NAT, then waits up to 5 min; it bounds password spraying across accounts.
 * No trusted proxies: X-Forwarded-For is ignored until the operator names them.
 */
export const BRUTE_FORCE_DEFAULTS = {
  enabled: true,
  per_identifier: { free_attempts: 5, base_delay: '1s', max_delay: '15m', window: '1h' },
  per_ip: { free_attempts: 100, base_delay: '1s', max_delay: '5m', window: '1h' },
  trusted_proxies: [],
} as const satisfies BruteForceConfigInput;

/** {@link BRUTE_FORCE_DEFAULTS} resolved. */
export const DEFAULT_BRUTE_FORCE_CONFIG: BruteForceConfig = Object.freeze({
  enabled: true,
  perIdentifier: Object.freeze({
    freeAttempts: 5,
    baseDelayMs: 1_000,
    maxDelayMs: 900_000,
    windowMs: 3_600_000,
  }),
  perIp: Object.freeze({ freeAttempts: 100, baseDelayMs: 1_000, maxDelayMs: 300_000, windowMs: 3_600_000 }),
  trustedProxies: Object.freeze([]),
});

/** Where `security.brute_force` sits in the config document. */
export const BRUTE_FORCE_CONFIG_PATH = 'security.brute_force';

/**
 * Applies defaults key by key and checks what the JSON Schema cannot: that durations are at
 * least 1 ms, that `base_delay <= max_delay <= window`, and that every trusted proxy parses.
 * Every problem is reported, not just the first.
 */
export function resolveBruteForceConfig(
  input: BruteForceConfigInput | undefined,
):
  | { readonly ok: true; readonly value: BruteForceConfig }
  | { readonly ok: false; readonly issues: BruteForceConfigIssue[] } {
  const issues: BruteForceConfigIssue[] = [];
  const perIdentifier = resolveLimit(
    input?.per_identifier,
    BRUTE_FORCE_DEFAULTS.per_identifier,
    'per_identifier',
    issues,
  );
  const perIp = resolveLimit(input?.per_ip, BRUTE_FORCE_DEFAULTS.per_ip, 'per_ip', issues);
  const trustedProxies = [...(input?.trusted_proxies ?? BRUTE_FORCE_DEFAULTS.trusted_proxies)];
  trustedProxies.forEach((entry, index) => {
    if (parseProxyNetwork(entry) === undefined)
      issues.push({
        path: `${BRUTE_FORCE_CONFIG_PATH}.trusted_proxies.${index}`,
        message: 'must be an IPv4 or IPv6 address or CIDR network',
      });
  });
  if (issues.length > 0 || perIdentifier === undefined || perIp === undefined) return { ok: false, issues };
  return {
    ok: true,
    value: { enabled: input?.enabled ?? BRUTE_FORCE_DEFAULTS.enabled, perIdentifier, perIp, trustedProxies },
  };
}

type LimitDefaults = Required<BruteForceLimitInput>;

function resolveLimit(
  input: BruteForceLimitInput | undefined,
  defaults: LimitDefaults,
  name: string,
  issues: BruteForceConfigIssue[],
): AttemptRule | undefined {
  const path = `${BRUTE_FORCE_CONFIG_PATH}.${name}`;
  const before = issues.length;
  const freeAttempts = input?.free_attempts ?? defaults.free_attempts;
  if (!Number.isSafeInteger(freeAttempts) || freeAttempts < 1)
    issues.push({ path: `${path}.free_attempts`, message: 'must be a whole number of at least 1' });
  const duration = (key: 'base_delay' | 'max_delay' | 'window'): number => {
    const ms = parseDuration(input?.[key] ?? defaults[key]);
    if (ms === undefined || ms < 1)
      issues.push({
        path: `${path}.${key}`,
        message: 'must be a duration of at least 1ms, such as 1s, 15m or 1h',
      });
    return ms ?? 0;
  };
  const baseDelayMs = duration('base_delay');
  const maxDelayMs = duration('max_delay');
  const windowMs = duration('window');
  if (issues.length > before) return undefined;
  if (maxDelayMs < baseDelayMs)
    issues.push({ path: `${path}.max_delay`, message: 'must not be shorter than base_delay' });
  // A wait ends with its window anyway (the count starts over), so a longer cap would be a lie.
  if (maxDelayMs > windowMs)
    issues.push({ path: `${path}.max_delay`, message: 'must not be longer than window' });
  return issues.length > before ? undefined : { freeAttempts, baseDelayMs, maxDelayMs, windowMs };
}
