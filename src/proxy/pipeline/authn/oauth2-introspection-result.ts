import { isPlainObject } from '../../template/values.js';
import { forbidden, type PipelineError, unauthorized } from '../errors.js';
import { missingScope, type ScopeStrategy } from './scope-strategy.js';
import { introspectedScopes, lifetimeRefusal, stringList } from './token-claims.js';

/** What a rule requires of an introspected token. */
export interface IntrospectionRequirements {
  scopes: readonly string[];
  scopeStrategy: ScopeStrategy;
  audiences: readonly string[];
  issuers: readonly string[];
}

export type IntrospectionVerdict =
  | {
      ok: true;
      subject: string;
      extra: Record<string, unknown>;
      /** The token's `exp` in epoch ms, when the response gives one. */
      expiresAt: number | undefined;
    }
  | { ok: false; error: PipelineError };

/** `token_use` / `token_type` values that name a token other than an access token. */
const NOT_ACCESS_TOKEN = /(^|:)(refresh_token|id_token)$/;

/**
 * Judges an RFC 7662 introspection response as Oathkeeper does: an inactive (or, here, expired)
 * token is 401; a token that is not an access token, lacks a target audience, comes from an
 * untrusted issuer or lacks a required scope is 403 (helper.ErrForbidden in Oathkeeper).
 */
export function judgeIntrospection(
  body: Record<string, unknown>,
  required: IntrospectionRequirements,
  nowMs: number,
): IntrospectionVerdict {
  if (body.active !== true)
    return refuse(unauthorized('the introspection endpoint says the token is not active'));
  const expired = lifetimeRefusal(body, nowMs);
  if (expired !== undefined) return refuse(unauthorized(expired));
  const kind = notAccessToken(body);
  if (kind !== undefined)
    return refuse(forbidden(`the introspected token is not an access token but "${kind}"`));
  const aud = stringList(body.aud);
  const missingAudience = required.audiences.find((wanted) => !aud.includes(wanted));
  if (missingAudience !== undefined)
    return refuse(forbidden(`the token audience does not include "${missingAudience}"`));
  if (required.issuers.length > 0 && !required.issuers.includes(typeof body.iss === 'string' ? body.iss : ''))
    return refuse(forbidden('the token issuer is not one of trusted_issuers'));
  const missing = missingScope(required.scopeStrategy, introspectedScopes(body), required.scopes);
  if (missing !== undefined) return refuse(forbidden(`the token was not granted scope "${missing}"`));
  return {
    ok: true,
    subject: typeof body.sub === 'string' ? body.sub : '',
    extra: extraOf(body, aud),
    expiresAt: typeof body.exp === 'number' ? body.exp * 1000 : undefined,
  };
}

function refuse(error: PipelineError): IntrospectionVerdict {
  return { ok: false, error };
}

/** Oathkeeper checks `token_use`; `token_type` is checked only for the kinds that are not access tokens. */
function notAccessToken(body: Record<string, unknown>): string | undefined {
  const use = body.token_use;
  if (typeof use === 'string' && use !== '' && use !== 'access_token') return use;
  const type = body.token_type;
  if (typeof type === 'string' && NOT_ACCESS_TOKEN.test(type.toLowerCase())) return type;
  return undefined;
}

/**
 * The session's extra: the response, with Oathkeeper's keys on top so that its templates work
 * unchanged — the `ext` claims at the top level, then `username`, `client_id` and `scope`
 * (empty strings when absent) and `aud` (as a list, when there is one).
 */
function extraOf(body: Record<string, unknown>, aud: string[]): Record<string, unknown> {
  const { ext, ...response } = body;
  const extra: Record<string, unknown> = { ...response, ...(isPlainObject(ext) ? ext : {}) };
  for (const name of ['username', 'client_id', 'scope']) {
    const value = body[name];
    extra[name] = typeof value === 'string' ? value : '';
  }
  if (aud.length > 0) extra.aud = aud;
  return extra;
}
