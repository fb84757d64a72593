import { type Authenticator, oathkeeperDefinition, type Prepared } from '../handler.js';
import { checkSession, prepareSessionCheck, type SessionCheckConfig } from './session-check.js';
import { findToken, type TokenFrom, tokenFromConfig } from './token-from.js';

interface BearerTokenConfig extends SessionCheckConfig {
  tokenFrom: TokenFrom;
  prefix: string;
}

/**
 * `bearer_token`: responsible when the request carries a token (starting with `prefix`, if
 * set); asks `check_session_url` with the request's `Authorization` and `forward_http_headers`
 * (the token itself is not added anywhere, as in Oathkeeper) and reads subject (`subject_from`,
 * default `sub`) and extra from a 200 answer. Kratos's whoami accepts `Authorization: Bearer
 * <session token>`, or `X-Session-Token` when that is forwarded.
 */
export const bearerTokenAuthenticator: Authenticator<BearerTokenConfig> = {
  id: 'bearer_token',
  configSchema: oathkeeperDefinition('configAuthenticatorsBearerToken'),
  prepare(raw, deps): Prepared<BearerTokenConfig> {
    const tokenFrom = tokenFromConfig(raw.token_from);
    // Oathkeeper appends only Authorization to forward_http_headers: a token read from another
    // header or a cookie reaches the store only if forward_http_headers names that header.
    const shared = prepareSessionCheck(raw, deps, { subjectFrom: 'sub', alwaysForward: ['authorization'] });
    if (!shared.ok) return shared;
    return {
      ok: true,
      config: { ...shared.config, tokenFrom, prefix: typeof raw.prefix === 'string' ? raw.prefix : '' },
    };
  },
  handle(request, _session, config) {
    const token = findToken(request, config.tokenFrom);
    if (token === '' || !token.startsWith(config.prefix)) return { kind: 'not_responsible' };
    return checkSession(request, config);
  },
};
