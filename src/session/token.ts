import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';

/** Kratos's session token prefix; clients and secret scanners recognise it. */
export const SESSION_TOKEN_PREFIX = 'ory_st_';
/** Kratos's logout token prefix. */
export const LOGOUT_TOKEN_PREFIX = 'ory_lo_';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random token: prefix + 32 base62 characters drawn without modulo bias (190 bits).
 */
export function generateToken(prefix: string, length = 32): string {
  let out = prefix;
  while (out.length < prefix.length + length) {
    for (const byte of randomBytes(length)) {
      // 248 = 4 * 62: bytes at or above it would bias the first characters; skip them.
      if (byte < 248 && out.length < prefix.length + length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/**
 * Secret keys as key objects, made once per secret: `createHmac` given a string key converts it
 * into a key object on every call (a quarter of the HMAC's cost for a token-sized input). Secrets
 * live for the process anyway; bounded in case keys are ever created dynamically.
 */
const keyObjects = new Map<string, KeyObject>();

function keyObject(key: string): KeyObject {
  let object = keyObjects.get(key);
  if (object === undefined) {
    if (keyObjects.size >= 64) keyObjects.clear();
    object = createSecretKey(Buffer.from(key, 'utf8'));
    keyObjects.set(key, object);
  }
  return object;
}

/**
 * Keyed hashes of a token under each secret, first key first. Tokens are stored as the first
 * key's hash; lookups try every key's hash, so rotating `secrets.default` does not sign
 * everyone out.
 */
export function tokenHashes(token: string, keys: readonly string[]): string[] {
  return keys.map((key) => createHmac('sha256', keyObject(key)).update(token).digest('base64url'));
}

export function tokenHash(token: string, keys: readonly string[]): string {
  const [first] = tokenHashes(token, keys.slice(0, 1));
  if (first === undefined) throw new Error('no secret configured to hash tokens with');
  return first;
}

/**
 * The logout token of a session, derived from its session token under a secret, so it can be
 * shown again (GET /self-service/logout/browser) although neither token is stored in clear.
 */
export function deriveLogoutToken(sessionToken: string, key: string): string {
  const digest = createHmac('sha256', keyObject(key)).update(`logout:${sessionToken}`).digest();
  let out = LOGOUT_TOKEN_PREFIX;
  // 32 bytes -> 32 base62 characters; the slight bias of byte % 62 is harmless for a MAC.
  for (const byte of digest) out += ALPHABET[byte % 62];
  return out;
}
