import { isRecord } from '../kernel/json.js';
/** What replaces a secret value. */
export const REDACTED = '[redacted]';

// Key words that mark a value as secret. Matched per `_`/`-`-separated word, so `token` hits
// `access_token` but not `tokenizer`.
const SECRET_WORDS: ReadonlySet<string> = new Set([
  'password',
  'passwd',
  'secret',
  'secrets',
  'token',
  'apikey',
  'credentials',
  'authorization',
  'cookie',
]);
const SECRET_PAIRS: readonly string[] = ['api_key', 'private_key', 'client_secret', 'access_key'];

/**
 * A copy of a config document that is safe to log: every `secrets.*` value, every value under
 * a key named like a secret (`password`, `client_secret`, `api_key`, `token`, ...), every value
 * of a `headers` map, the key
 * of an API-key auth block (`{type: api_key, config: {value}}`), and the password inside any
 * URL (`postgres://user:***@host`, SMTP and Redis URLs) are replaced. The input is not changed.
 */
export function redactConfig(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    out[key] = key === 'secrets' && isRecord(value) ? redactAllKeys(value) : redactValue(key, value);
  }
  return out;
}

function redactAllKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(value).map((key) => [key, REDACTED]));
}

function redactValue(key: string, value: unknown): unknown {
  if (isSecretKey(key) && !isRecord(value)) return REDACTED;
  // Headers sent to another service (oauth2_provider.headers, a web hook's or an HTTP courier's
  // headers) carry its credentials under any name (Authorization, X-Api-Key, ...): names only.
  if (key.toLowerCase() === 'headers' && isRecord(value)) return redactAllKeys(value);
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map((item) => redactValue('', item));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [childKey, child] of Object.entries(value)) out[childKey] = redactValue(childKey, child);
  // Kratos's API-key auth keeps the key in `config.value`, a name no rule above can catch.
  if (value.type === 'api_key' && isRecord(out.config) && 'value' in out.config) {
    out.config = { ...out.config, value: REDACTED };
  }
  return out;
}

/** True for key names that hold secrets. */
export function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  if (SECRET_PAIRS.some((pair) => lower.includes(pair))) return true;
  return lower.split(/[_\-.]/).some((word) => SECRET_WORDS.has(word));
}

/**
 * Masks the password of `scheme://user:password@host...`. The user info ends at the last `@`
 * so that an unencoded `@` or `/` inside a password is still masked; the cost is masking a
 * little too much in odd URLs that carry `@` in their path, which is harmless in a log.
 */
export function redactUrl(text: string): string {
  const schemeEnd = text.indexOf('://');
  if (schemeEnd < 1 || !/^[a-z][a-z0-9+.-]*$/i.test(text.slice(0, schemeEnd))) return text;
  const rest = text.slice(schemeEnd + 3);
  const at = rest.lastIndexOf('@');
  if (at < 0) return redactQuery(text);
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(':');
  if (colon < 0 || /[/?#]/.test(userInfo.slice(0, colon))) return redactQuery(text);
  return redactQuery(`${text.slice(0, schemeEnd + 3)}${userInfo.slice(0, colon)}:***@${rest.slice(at + 1)}`);
}

// DSNs also carry secrets as parameters (`?password=...`, `sslpassword=`).
function redactQuery(text: string): string {
  return text.replace(/([?&])([^=&#]+)=([^&#]*)/g, (match, separator: string, name: string) =>
    isSecretKey(name) ? `${separator}${name}=***` : match,
  );
}
