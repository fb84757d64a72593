import {
  type CryptoKey,
  createLocalJWKSet,
  decodeProtectedHeader,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { parseDuration } from '../../../kernel/duration.js';
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, type JwkSet, publicJwk } from '../../jwks/keys.js';
import { type JwksStore, jwksLocation, jwksStoreFor } from '../../jwks/store.js';
import { unauthorized } from '../errors.js';
import { type Authenticator, type AuthnResult, oathkeeperDefinition, type Prepared } from '../handler.js';
import { missingScope, type ScopeStrategy, scopeStrategyFromConfig } from './scope-strategy.js';
import { jwtScopes } from './token-claims.js';
import { findToken, type TokenFrom, tokenFromConfig } from './token-from.js';

interface JwtConfig {
  jwksUrls: string[];
  algorithms: string[];
  issuers: string[];
  audiences: string[];
  scopes: string[];
  scopeStrategy: ScopeStrategy;
  tokenFrom: TokenFrom;
  ttlMs: number;
  maxWaitMs: number;
  store: JwksStore;
  /** The key sets last combined, and the key resolver over them. */
  resolver: { sets: JwkSet[]; keys: KeyResolver } | undefined;
  /** Verified tokens (successes only), briefly. */
  verified: LRUCache<string, { subject: string; extra: Record<string, unknown>; expiresAt: number }>;
}

/** How long a verified token is taken on trust without verifying its signature again. */
const VERIFIED_TTL_MS = 10_000;
const VERIFIED_ENTRIES = 10_000;

/** Oathkeeper's default when `allowed_algorithms` is empty. */
const DEFAULT_ALGORITHMS = ['RS256'];

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function reasonOf(error: unknown): string {
  if (error instanceof KeyLoadError || error instanceof MissingKid || error instanceof IssuedInFuture)
    return error.message;
  if (error instanceof joseErrors.JWTExpired) return 'token is expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `token claim "${error.claim}" is invalid: ${error.reason}`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm is not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey)
    return 'no key in the JSON Web Key Sets matches the token';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof joseErrors.JOSEError) return `token is invalid (${error.code})`;
  return 'token is invalid';
}

/**
 * `jwt`: verifies a JSON Web Token (from `Authorization: Bearer`, or `token_from`) against the
 * keys of `jwks_urls` (file://, base64://, http(s)://). Not responsible when there is no token or
 * it is not a JWS compact serialisation; any other failure is 401, as in Oathkeeper, which turns
 * every verification error (a token without `kid`, key sets that cannot be loaded) into
 * ErrUnauthorized. Only `allowed_algorithms`
 * (RS256 if empty) are accepted; `none` never; an HMAC algorithm only when listed and only with
 * an `oct` key of the set, so a token "signed" with a public key as HMAC secret never verifies.
 */
export const jwtAuthenticator: Authenticator<JwtConfig> = {
  id: 'jwt',
  configSchema: oathkeeperDefinition('configAuthenticatorsJwt'),
  prepare(raw, deps): Prepared<JwtConfig> {
    const jwksUrls = strings(raw.jwks_urls);
    if (jwksUrls.length === 0)
      return { ok: false, message: 'jwks_urls must name at least one JSON Web Key Set' };
    for (const url of jwksUrls) {
      const located = jwksLocation(url, { allowHttp: true });
      if (!located.ok) return { ok: false, message: located.message };
    }
    const listed = strings(raw.allowed_algorithms);
    const algorithms = listed.length > 0 ? listed : DEFAULT_ALGORITHMS;
    for (const alg of algorithms) {
      if (!ASYMMETRIC_ALGORITHMS.includes(alg) && !HMAC_ALGORITHMS.includes(alg))
        return { ok: false, message: `allowed_algorithms: "${alg}" is not a supported signing algorithm` };
    }
    const scopes = strings(raw.required_scope);
    const scopeStrategy = scopeStrategyFromConfig(raw.scope_strategy);
    if (scopes.length > 0 && scopeStrategy === 'none')
      return {
        ok: false,
        message: 'required_scope is set but scope_strategy is "none"; choose hierarchic, exact or wildcard',
      };
    const ttlMs = parseDuration(typeof raw.jwks_ttl === 'string' ? raw.jwks_ttl : '30s');
    const maxWaitMs = parseDuration(typeof raw.jwks_max_wait === 'string' ? raw.jwks_max_wait : '1s');
    if (ttlMs === undefined) return { ok: false, message: 'jwks_ttl is not a duration' };
    if (maxWaitMs === undefined || maxWaitMs === 0)
      return { ok: false, message: 'jwks_max_wait is not a positive duration' };
    return {
      ok: true,
      config: {
        jwksUrls,
        algorithms,
        issuers: strings(raw.trusted_issuers),
        audiences: strings(raw.target_audience),
        scopes,
        scopeStrategy,
        tokenFrom: tokenFromConfig(raw.token_from),
        ttlMs,
        maxWaitMs,
        store: jwksStoreFor(deps.http),
        resolver: undefined,
        verified: new LRUCache({ max: VERIFIED_ENTRIES, ttl: VERIFIED_TTL_MS }),
      },
    };
  },
  async handle(request, _session, config) {
    const token = findToken(request, config.tokenFrom);
    // Not a JWS compact token: let a later authenticator (bearer_token, introspection) try it.
    if (token === '' || token.split('.').length !== 3) return { kind: 'not_responsible' };
    const now = Date.now();
    const hit = config.verified.get(token);
    if (hit !== undefined && hit.expiresAt > now)
      return { kind: 'authenticated', subject: hit.subject, extra: hit.extra };
    let claims: JWTPayload;
    try {
      requireKid(token);
      claims = await verify(token, config, false);
    } catch (error) {
      return { kind: 'error', error: unauthorized(reasonOf(error)) };
    }
    const { scopes, key } = jwtScopes(claims);
    const refused = checkClaims(claims, scopes, config);
    if (refused !== undefined) return refused;
    const subject = typeof claims.sub === 'string' ? claims.sub : '';
    const extra = { ...claims } as Record<string, unknown>;
    // Oathkeeper's Verify: `delete(claims, k); claims["scp"] = s`, so templates always find the
    // scopes as a list at .Extra.scp. With no scope claim k is "", and a claim named "" goes too.
    delete extra[key];
    extra.scp = scopes;
    const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : now + VERIFIED_TTL_MS;
    config.verified.set(token, { subject, extra, expiresAt });
    return { kind: 'authenticated', subject, extra };
  },
};

class KeyLoadError extends Error {}
class MissingKid extends Error {}
class IssuedInFuture extends Error {}

/**
 * Oathkeeper picks the key by the token's `kid` and refuses a token without one, before any key
 * set is read; jose alone would try every key of the token's algorithm.
 */
function requireKid(token: string): void {
  const { kid } = decodeProtectedHeader(token);
  if (typeof kid !== 'string' || kid === '')
    throw new MissingKid('The JSON Web Token must contain a kid header value but did not.');
}

async function verify(token: string, config: JwtConfig, refreshed: boolean): Promise<JWTPayload> {
  let sets: JwkSet[];
  try {
    sets = await Promise.all(
      config.jwksUrls.map((url) =>
        refreshed
          ? config.store.refresh(url, { timeoutMs: config.maxWaitMs })
          : config.store.get(url, { ttlMs: config.ttlMs, timeoutMs: config.maxWaitMs }),
      ),
    );
  } catch (error) {
    throw new KeyLoadError(
      `jwt: cannot load jwks_urls: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const current = config.resolver;
  let keys: KeyResolver;
  if (
    current !== undefined &&
    current.sets.length === sets.length &&
    current.sets.every((s, i) => s === sets[i])
  ) {
    keys = current.keys;
  } else {
    keys = keyResolver(sets);
    config.resolver = { sets, keys };
  }
  try {
    // No leeway, as Oathkeeper (golang-jwt v5 ParseWithClaims without WithLeeway): valid while
    // now < exp and now >= nbf.
    const { payload } = await jwtVerify(token, keys, {
      algorithms: config.algorithms,
      clockTolerance: 0,
      ...(config.issuers.length > 0 ? { issuer: config.issuers } : {}),
    });
    // jwt.WithIssuedAt(): a token issued in the future is refused (jose checks iat only with
    // maxTokenAge, which would also make iat required; Oathkeeper accepts a token without one).
    if (typeof payload.iat === 'number' && payload.iat * 1000 > Date.now())
      throw new IssuedInFuture('token used before issued (iat is in the future)');
    return payload;
  } catch (error) {
    // A key we do not know yet: read the sets again (rate-limited by the store) and try once more.
    if (error instanceof joseErrors.JWKSNoMatchingKey && !refreshed) return verify(token, config, true);
    throw error;
  }
}

type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey | Uint8Array>;

/**
 * The keys of `sets` that may verify, as Oathkeeper's VerifierDefault gets them:
 * - only keys whose `use` is exactly "sig" (FetcherDefault.key(): ResolveKey(..., kid, "sig")),
 *   so a key without `use`, or with `use: enc`, never verifies;
 * - a private key verifies with its public half ("Mutate to public key": key.Public() unless the
 *   key is a []byte secret). jose's local key set refuses private members outright, so they are
 *   stripped here (`publicJwk`, the same members the JWKS endpoint publishes); the key set one
 *   shares with the id_token mutator is private;
 * - an `oct` key is kept as the secret it is, and serves only the HMAC algorithms (golang-jwt's
 *   SigningMethodHMAC takes a []byte key and nothing else); jose's local key set takes no
 *   secret algorithm, so those are resolved here: the first `oct` key with the token's `kid`, as
 *   Oathkeeper takes the first key with that `kid`. An asymmetric key is never an HMAC secret
 *   and a secret never verifies an asymmetric algorithm.
 * Which algorithms are allowed at all is checked by jwtVerify before any key is resolved.
 */
function keyResolver(sets: JwkSet[]): KeyResolver {
  const usable = sets.flatMap((s) => s.keys).filter((key) => key.use === 'sig');
  const asymmetric = createLocalJWKSet({
    keys: usable
      .filter((key) => key.kty !== 'oct')
      .flatMap((key) => (typeof key.d === 'string' ? (publicJwk(key) ?? []) : [key])),
  });
  const secrets = usable.filter((key) => key.kty === 'oct');
  return async (header, token) => {
    if (!HMAC_ALGORITHMS.includes(header.alg ?? '')) return asymmetric(header, token);
    const secret = secrets.find(
      (key) =>
        key.kid === header.kid &&
        (key.alg === undefined || key.alg === header.alg) &&
        typeof key.k === 'string' &&
        key.k !== '',
    );
    if (secret === undefined) throw new joseErrors.JWKSNoMatchingKey();
    return Buffer.from(secret.k as string, 'base64url');
  };
}

function checkClaims(claims: JWTPayload, scopes: string[], config: JwtConfig): AuthnResult | undefined {
  const aud = typeof claims.aud === 'string' ? [claims.aud] : strings(claims.aud);
  for (const wanted of config.audiences) {
    if (!aud.includes(wanted))
      return { kind: 'error', error: unauthorized(`token audience does not include "${wanted}"`) };
  }
  const missing = missingScope(config.scopeStrategy, scopes, config.scopes);
  if (missing !== undefined)
    return { kind: 'error', error: unauthorized(`token is missing required scope "${missing}"`) };
  return undefined;
}
