import { type Authenticator, oathkeeperDefinition } from '../handler.js';
import { requestCookies } from '../session.js';
import { checkSession, prepareSessionCheck, type SessionCheckConfig } from './session-check.js';

interface CookieSessionConfig extends SessionCheckConfig {
  only: string[];
}

/**
 * `cookie_session`: responsible when the request carries a cookie (one named in `only`, if
 * set); forwards the Cookie header to `check_session_url` and reads subject (`subject_from`,
 * default `subject`) and extra (`extra_from`, default `extra`) from a 200 answer. For Kratos's
 * whoami use `subject_from: identity.id` (or `identity.traits.email`) and `extra_from: "@this"`.
 */
export const cookieSessionAuthenticator: Authenticator<CookieSessionConfig> = {
  id: 'cookie_session',
  configSchema: oathkeeperDefinition('configAuthenticatorsCookieSession'),
  prepare(raw, deps) {
    const shared = prepareSessionCheck(raw, deps, { subjectFrom: 'subject', alwaysForward: ['cookie'] });
    if (!shared.ok) return shared;
    return { ok: true, config: { ...shared.config, only: (raw.only as string[] | undefined) ?? [] } };
  },
  async handle(request, _session, config) {
    const cookies = requestCookies(request);
    const responsible =
      config.only.length === 0 ? cookies.size > 0 : config.only.some((name) => cookies.has(name));
    if (!responsible) return { kind: 'not_responsible' };
    return checkSession(request, config);
  },
};
