import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { parseDuration } from '../../../kernel/duration.js';
import { findSigningKey, parseJwkSet } from '../../jwks/keys.js';
import { type JwksStore, jwksLocation, jwksStoreFor, signJwt } from '../../jwks/store.js';
import { type CompiledTemplate, compileTemplate } from '../../template/index.js';
import { internalError } from '../errors.js';
import { type Mutator, oathkeeperDefinition, type Prepared } from '../handler.js';
import { templateData } from '../session.js';

interface IdTokenConfig {
  issuer: string;
  jwksUrl: string;
  ttlMs: number;
  claims: CompiledTemplate | undefined;
  store: JwksStore;
  /** Signed tokens by subject and rendered claims. */
  cache: LRUCache<string, { token: string; expiresAt: number }>;
}

/** Signed tokens kept per rule; the least recently used go first. */
const CACHE_ENTRIES = 10_000;

/** A cached token is reused while more than a quarter of its ttl (at most 60 s) is left. */
function reuseMargin(ttlMs: number): number {
  return Math.min(60_000, Math.floor(ttlMs / 4));
}

/**
 * Loads a file:// or base64:// set now so a rule with a missing file or no signing key fails to
 * load; http(s) sets are checked on first use.
 */
function checkKeys(url: string): string | undefined {
  const located = jwksLocation(url, { allowHttp: true });
  if (!located.ok) return located.message;
  const { location } = located;
  if (location.kind === 'http') return undefined;
  try {
    const text = location.kind === 'file' ? readFileSync(location.path, 'utf8') : location.text;
    if (findSigningKey(parseJwkSet(text)) === undefined)
      return 'the JSON Web Key Set has no signing key (a private key with use "sig" and an asymmetric alg)';
  } catch (error) {
    return `cannot read jwks_url: ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}

/**
 * `id_token`: sets `Authorization: Bearer <JWT>` signed with the first signing key of `jwks_url`
 * (`kid` in the header). Claims: the `claims` template rendered and parsed as a JSON object
 * (put `aud` there), then `iss`, `sub`, `iat`, `nbf`, `exp` (now + `ttl`) and `jti` over it.
 * Tokens are cached per subject and rendered claims until shortly before they expire.
 */
export const idTokenMutator: Mutator<IdTokenConfig> = {
  id: 'id_token',
  configSchema: oathkeeperDefinition('configMutatorsIdToken'),
  prepare(raw, deps): Prepared<IdTokenConfig> {
    const issuer = String(raw.issuer_url ?? '');
    const jwksUrl = String(raw.jwks_url ?? '');
    const ttlMs = parseDuration(typeof raw.ttl === 'string' ? raw.ttl : '15m');
    if (ttlMs === undefined || ttlMs < 1000)
      return { ok: false, message: 'ttl must be a duration of at least 1s' };
    const keyProblem = checkKeys(jwksUrl);
    if (keyProblem !== undefined) return { ok: false, message: keyProblem };
    let claims: CompiledTemplate | undefined;
    if (typeof raw.claims === 'string' && raw.claims.trim() !== '') {
      const compiled = compileTemplate(raw.claims);
      if (!compiled.ok) return { ok: false, message: `claims: ${compiled.error.message}` };
      claims = compiled.template;
    }
    return {
      ok: true,
      config: {
        issuer,
        jwksUrl,
        ttlMs,
        claims,
        store: jwksStoreFor(deps.http),
        cache: new LRUCache({ max: CACHE_ENTRIES }),
      },
    };
  },
  async handle(_request, session, config) {
    let rendered: string | undefined;
    if (config.claims !== undefined) {
      const result = config.claims.execute(templateData(session));
      if (!result.ok)
        return { kind: 'error', error: internalError(`claims template: ${result.error.message}`) };
      rendered = result.value;
    }
    // Keyed on the rendered text: a hit was parsed (and found an object) when it was signed, so
    // the claims are parsed on a miss only.
    const cacheKey = `${session.subject}\u0000${rendered ?? ''}`;
    const now = Date.now();
    const cached = config.cache.get(cacheKey);
    if (cached !== undefined && cached.expiresAt - now > reuseMargin(config.ttlMs))
      return { kind: 'ok', headers: { Authorization: `Bearer ${cached.token}` } };
    const custom = customClaims(rendered);
    if (!custom.ok)
      return {
        kind: 'error',
        error: internalError(`claims template did not render a JSON object: ${custom.why}`),
      };
    let token: string;
    const iat = Math.floor(now / 1000);
    const exp = Math.floor((now + config.ttlMs) / 1000);
    try {
      token = await signJwt(await config.store.signingKey(config.jwksUrl), {
        ...custom.claims,
        iss: config.issuer,
        sub: session.subject,
        iat,
        nbf: iat,
        exp,
        jti: randomUUID(),
      });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return { kind: 'error', error: internalError(`id_token: cannot sign: ${why}`) };
    }
    config.cache.set(cacheKey, { token, expiresAt: exp * 1000 });
    return { kind: 'ok', headers: { Authorization: `Bearer ${token}` } };
  },
};

/** The rendered `claims` as a JSON object; undefined (no `claims` template) means none. */
function customClaims(
  rendered: string | undefined,
): { ok: true; claims: Record<string, unknown> } | { ok: false; why: string } {
  if (rendered === undefined) return { ok: true, claims: {} };
  try {
    const parsed: unknown = JSON.parse(rendered);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return { ok: true, claims: parsed as Record<string, unknown> };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.message : String(error) };
  }
}
