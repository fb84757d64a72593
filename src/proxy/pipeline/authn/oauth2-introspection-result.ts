import { isPlainObject } from '../../template/values.js';
import { forbidden, type PipelineError, unauthorized } from '../errors.js';
import { missingScope, type ScopeStrategy } from './scope-strategy.js';
import { introspectedScopes, introspectionExpiry, stringList } from './token-claims.js';

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

/**
 * Judges an RFC 7662 introspection response in the order Oathkeeper's oauth2_introspection
 * Authenticate does: a `token_use` other than `access_token` is 403; an inactive or expired
 * token (no leeway) is 401; a token that lacks a target audience, comes from an untrusted
 * issuer or lacks a required scope is 403 (helper.ErrForbidden). `token_type` and `nbf` are
 * not looked at, as in Oathkeeper.
 */
export function judgeIntrospection(
  body: Record<string, unknown>,
  required: IntrospectionRequirements,
  nowMs: number,
): IntrospectionVerdict {
  const use = body.token_use;
  if (typeof use === 'string' && use !== '' && use !== 'access_token')
    return refuse(forbidden(`Use of introspected token is not an access token but "${use}"`));
  if (body.active !== true) return refuse(unauthorized('Access token is not active'));
  const expired = introspectionExpiry(body, nowMs);
  if (expired !== undefined) return refuse(unauthorized(expired));
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

/**
 * The session's extra as Oathkeeper builds it (`session.Extra = i.Extra`): only the `ext`
 * object of the response, with `username`, `client_id` and `scope` set over it (empty strings
 * when absent) and `aud` (as a list) when there is one. Other response members (`active`,
 * `sub`, `exp`, `iss`, ...) are not in it.
 */
function extraOf(body: Record<string, unknown>, aud: string[]): Record<string, unknown> {
  const extra: Record<string, unknown> = isPlainObject(body.ext) ? { ...body.ext } : {};
  for (const name of ['username', 'client_id', 'scope']) {
    const value = body[name];
    extra[name] = typeof value === 'string' ? value : '';
  }
  if (aud.length > 0) extra.aud = aud;
  return extra;
}
