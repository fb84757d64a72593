import { type Authenticator, oathkeeperDefinition } from '../handler.js';
import { requestHasCookie } from '../session.js';
import { checkSession, prepareSessionCheck, type SessionCheckConfig } from './session-check.js';

interface CookieSessionConfig extends SessionCheckConfig {
  /** Whether a cookie name makes this authenticator responsible: any name, or one in `only`. */
  responsibleFor: (name: string) => boolean;
}

const anyCookie = (): boolean => true;

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
    const only = new Set((raw.only as string[] | undefined) ?? []);
    const responsibleFor = only.size === 0 ? anyCookie : (name: string) => only.has(name);
    return { ok: true, config: { ...shared.config, responsibleFor } };
  },
  handle(request, _session, config) {
    if (!requestHasCookie(request, config.responsibleFor)) return { kind: 'not_responsible' };
    return checkSession(request, config);
  },
};
