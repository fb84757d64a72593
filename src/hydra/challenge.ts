import { badRequest, internalError } from '../kernel/errors.js';

/**
 * The `login_challenge` a login or registration init carries, read as Kratos's
 * hydra.GetLoginChallengeID: undefined when the parameter is absent; a parameter given while
 * `oauth2_provider.url` is unset is a misconfiguration (500), an empty one a bad request.
 *
 * @param query the init request's query (first value of each parameter)
 * @param configured whether `oauth2_provider.url` is set
 */
export function loginChallengeFrom(
  query: Readonly<Record<string, unknown>>,
  configured: boolean,
): string | undefined {
  if (!Object.hasOwn(query, 'login_challenge')) return undefined;
  if (!configured) {
    throw internalError(
      'refusing to parse login_challenge query parameter because oauth2_provider.url is invalid or unset',
    );
  }
  const challenge = query.login_challenge;
  if (typeof challenge !== 'string' || challenge === '') {
    throw badRequest('the login_challenge parameter is present but empty');
  }
  return challenge;
}
