/**
 * Oathkeeper's access-rule migrator (rule/rule_migrator.go, `migrateRuleJSON`), applied to
 * every rule before anything else reads it, as Oathkeeper's `Rule.UnmarshalJSON` does:
 *
 * - `version` (a leading `v` dropped; empty or missing means Oathkeeper's own version) must be
 *   a semantic version as github.com/blang/semver parses it, or the whole document is refused;
 * - it is then replaced by Oathkeeper's own version (what `GET /rules` shows);
 * - up to `0.32.0-beta.1`, each `hydrator` mutator's `config.retry.delay_in_milliseconds` (n)
 *   becomes `config.retry.max_delay` (`"<n>ms"`) and `config.retry.number_of_retries` (r)
 *   becomes `config.retry.give_up_after` (`"<r*n>ms"`, n defaulting to 100). The path is
 *   Oathkeeper's, `config.retry` (the hydrator's current keys live under `config.api.retry`);
 * - up to `0.37.0`, `$1`-style references in the `keto_engine_acp_ory` authorizer's
 *   `required_action` and `required_resource` become `printIndex` templates.
 */

import type { JsonObject, JsonValue } from '../../config/index.js';
import { isJsonObject } from '../../kernel/json.js';
import { compareSemver, parseSemver, type SemVersion, semver } from './semver.js';

/**
 * The Oathkeeper release whose behaviour Portcullis follows (`x.Version` of a release build;
 * see src/config/vendor/SOURCE.md for the snapshot).
 */
export const OATHKEEPER_VERSION = 'v26.2.0';

const HYDRATOR_RETRY_KEYS_UNTIL = semver('0.32.0-beta.1');
const KETO_REPLACEMENTS_UNTIL = semver('0.37.0');

export type MigrateResult = { ok: true; rule: JsonObject } | { ok: false; message: string };

/** Migrates one rule (a JSON object); the input is not modified. */
export function migrateRule(input: JsonObject): MigrateResult {
  const declared = gjsonString(input.version);
  const text = (declared !== '' ? declared : OATHKEEPER_VERSION).replace(/^v/, '');
  const parsed = parseSemver(text);
  if (!parsed.ok)
    return { ok: false, message: `${JSON.stringify(text)} is not a semantic version: ${parsed.message}` };
  let version: SemVersion = parsed.version;

  const rule = structuredClone(input);
  rule.version = OATHKEEPER_VERSION.split('+')[0] ?? OATHKEEPER_VERSION;

  if (compareSemver(version, HYDRATOR_RETRY_KEYS_UNTIL) <= 0) {
    if (Array.isArray(rule.mutators)) for (const mutator of rule.mutators) migrateHydratorRetry(mutator);
    version = HYDRATOR_RETRY_KEYS_UNTIL;
  }
  if (compareSemver(version, KETO_REPLACEMENTS_UNTIL) <= 0) {
    migrateKetoTemplates(rule.authorizer);
    version = KETO_REPLACEMENTS_UNTIL;
  }
  // Every version reaches 0.37.0 or above here, as in Oathkeeper; its last check cannot fail.
  return { ok: true, rule };
}

function migrateHydratorRetry(mutator: JsonValue | undefined): void {
  if (!isJsonObject(mutator) || gjsonString(mutator.handler) !== 'hydrator') return;
  const config = mutator.config;
  if (!isJsonObject(config)) return;
  const retry = config.retry;
  if (!isJsonObject(retry)) return;
  let delay = 100n;
  if (Object.hasOwn(retry, 'delay_in_milliseconds')) {
    delay = gjsonInt(retry.delay_in_milliseconds);
    retry.max_delay = `${delay}ms`;
    delete retry.delay_in_milliseconds;
  }
  if (Object.hasOwn(retry, 'number_of_retries')) {
    const retries = gjsonInt(retry.number_of_retries);
    retry.give_up_after = `${BigInt.asIntN(64, retries * delay)}ms`;
    delete retry.number_of_retries;
  }
}

function migrateKetoTemplates(authorizer: JsonValue | undefined): void {
  if (!isJsonObject(authorizer) || gjsonString(authorizer.handler) !== 'keto_engine_acp_ory') return;
  const config = authorizer.config;
  if (!isJsonObject(config)) return;
  for (const key of ['required_action', 'required_resource'] as const) {
    if (!Object.hasOwn(config, key)) continue;
    // gjson's `.Str` is empty for anything but a string.
    const value = config[key];
    const text = typeof value === 'string' ? value : '';
    config[key] = text.replace(
      /\$([0-9]+)/g,
      (_match, group: string) => `{{ printIndex .MatchContext.RegexpCaptureGroups (sub ${group} 1 | int)}}`,
    );
  }
}

/** gjson's `Result.String()` of a decoded value: strings as they are, other values as JSON. */
function gjsonString(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** gjson's `Result.Int()`: numbers truncated, numeric strings parsed, true 1, anything else 0. */
function gjsonInt(value: JsonValue | undefined): bigint {
  if (value === true) return 1n;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 0n;
    return BigInt.asIntN(64, BigInt(Math.trunc(value)));
  }
  if (typeof value === 'string') {
    const match = /^(-?)([0-9]+)$/.exec(value);
    if (match === null) return 0n;
    const magnitude = BigInt.asIntN(64, BigInt(match[2] ?? '0'));
    return match[1] === '-' ? BigInt.asIntN(64, -magnitude) : magnitude;
  }
  return 0n;
}
