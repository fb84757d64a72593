import { type Authenticator, oathkeeperDefinition, type Prepared } from '../handler.js';
import { type PipelineRequest, requestCookies, requestHeader } from '../session.js';
import { checkSession, prepareSessionCheck, type SessionCheckConfig } from './session-check.js';

type TokenFrom = { header: string } | { query_parameter: string } | { cookie: string } | undefined;

interface BearerTokenConfig extends SessionCheckConfig {
  tokenFrom: TokenFrom;
  prefix: string;
}

/** Oathkeeper's token lookup: `Authorization: Bearer <t>` unless token_from names a header, query parameter or cookie. */
export function findToken(request: PipelineRequest, from: TokenFrom): string {
  if (from === undefined) {
    const value = requestHeader(request, 'authorization') ?? '';
    const space = value.indexOf(' ');
    if (space < 0 || value.slice(0, space).toLowerCase() !== 'bearer') return '';
    return value.slice(space + 1);
  }
  if ('header' in from) return requestHeader(request, from.header) ?? '';
  if ('query_parameter' in from) return request.url.searchParams.get(from.query_parameter) ?? '';
  return requestCookies(request).get(from.cookie) ?? '';
}

/**
 * `bearer_token`: responsible when the request carries a token (starting with `prefix`, if
 * set); forwards it to `check_session_url` and reads subject (`subject_from`, default `sub`)
 * and extra from a 200 answer. Kratos's whoami accepts `Authorization: Bearer <session token>`.
 */
export const bearerTokenAuthenticator: Authenticator<BearerTokenConfig> = {
  id: 'bearer_token',
  configSchema: oathkeeperDefinition('configAuthenticatorsBearerToken'),
  prepare(raw, deps): Prepared<BearerTokenConfig> {
    const tokenFrom = (raw.token_from ?? undefined) as TokenFrom;
    const alwaysForward = ['authorization'];
    if (tokenFrom !== undefined && 'header' in tokenFrom) alwaysForward.push(tokenFrom.header);
    if (tokenFrom !== undefined && 'cookie' in tokenFrom) alwaysForward.push('cookie');
    const shared = prepareSessionCheck(raw, deps, { subjectFrom: 'sub', alwaysForward });
    if (!shared.ok) return shared;
    return {
      ok: true,
      config: { ...shared.config, tokenFrom, prefix: typeof raw.prefix === 'string' ? raw.prefix : '' },
    };
  },
  async handle(request, _session, config) {
    const token = findToken(request, config.tokenFrom);
    if (token === '' || !token.startsWith(config.prefix)) return { kind: 'not_responsible' };
    return checkSession(request, config);
  },
};
