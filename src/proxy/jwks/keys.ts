import type { JWK } from 'jose';

/** A JSON Web Key Set as read from a `jwks_url`. */
export interface JwkSet {
  keys: JWK[];
}

/** Members of a JWK that carry no secret, by key type; everything else is dropped on publish. */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
};
const METADATA = ['kty', 'kid', 'use', 'alg', 'x5c', 'x5t', 'x5t#S256', 'x5u'] as const;

/** Asymmetric algorithms a signing key may use (HMAC keys never sign id_tokens). */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
export const HMAC_ALGORITHMS: readonly string[] = ['HS256', 'HS384', 'HS512'];

/** Parses a JWK set document; throws with a reason safe to log (no key material). */
export function parseJwkSet(text: string): JwkSet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('JSON Web Key Set is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { keys?: unknown }).keys))
    throw new Error('JSON Web Key Set has no "keys" array');
  const keys = (doc as { keys: unknown[] }).keys;
  for (const [i, key] of keys.entries()) {
    if (typeof key !== 'object' || key === null || typeof (key as JWK).kty !== 'string')
      throw new Error(`JSON Web Key ${i} has no "kty"`);
  }
  return { keys: keys as JWK[] };
}

/** The key without private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`); undefined for symmetric keys. */
export function publicJwk(key: JWK): JWK | undefined {
  const members = PUBLIC_MEMBERS[key.kty ?? ''];
  if (members === undefined) return undefined;
  const out: Record<string, unknown> = {};
  const source = key as Record<string, unknown>;
  for (const name of [...METADATA, ...members]) {
    if (source[name] !== undefined) out[name] = source[name];
  }
  return out as JWK;
}

/** Public keys only; symmetric (`oct`) keys are never published. */
export function publicJwks(set: JwkSet): JwkSet {
  return { keys: set.keys.flatMap((k) => publicJwk(k) ?? []) };
}

/** The algorithm a key signs with: its `alg`, else the one its type and curve imply. */
export function signingAlgorithm(key: JWK): string | undefined {
  if (typeof key.alg === 'string') return key.alg;
  if (key.kty === 'RSA') return 'RS256';
  if (key.kty === 'EC')
    return ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[
      key.crv ?? ''
    ];
  if (key.kty === 'OKP' && key.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/** Which keys may sign: asymmetric ones always; HMAC (`oct`) ones only where asked for. */
export interface SigningKeyKinds {
  /**
   * Also an `oct` key with its secret (`k`) and an HS256/384/512 `alg`. Kratos's session
   * tokenizer signs with such keys; an id_token never does, since its verifiers hold only the
   * published (public) keys.
   */
  hmac?: boolean;
}

/**
 * The key that signs: the first key of the set with `use: sig` (or no `use`), a private part
 * (`d`) and an asymmetric algorithm, or an HMAC secret when `kinds.hmac`. Put the new key first
 * when rotating (`jwks generate --append` does). Oathkeeper meant to sign with the first key
 * too, but its signer (credentials/signer_default.go) keeps the LAST private key of a set that
 * holds no public key. That difference is documented in docs/proxy.md, not copied here.
 */
export function findSigningKey(
  set: JwkSet,
  kinds: SigningKeyKinds = {},
): { key: JWK; alg: string } | undefined {
  for (const key of set.keys) {
    if (key.use !== undefined && key.use !== 'sig') continue;
    const alg = signingAlgorithm(key);
    if (alg === undefined) continue;
    if (typeof key.d === 'string' && ASYMMETRIC_ALGORITHMS.includes(alg)) return { key, alg };
    if (kinds.hmac && key.kty === 'oct' && typeof key.k === 'string' && HMAC_ALGORITHMS.includes(alg))
      return { key, alg };
  }
  return undefined;
}
