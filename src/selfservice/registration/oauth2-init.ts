import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OAuth2LoginRequest, OAuth2Provider } from '../../hydra/index.js';
import type { Authenticated } from '../../session/manager.js';
import { publicRequestUrl, publicUrl } from '../flow/request-url.js';
import { acceptForSignedIn, initChallenge, providerFor, sendBrowserToHydra } from '../login/oauth2-flow.js';

/** A browser registration init's Hydra login request, when it carries a `login_challenge`. */
export interface OAuth2RegistrationInit {
  challenge: string | undefined;
  loginRequest: OAuth2LoginRequest | undefined;
}

/** Reads the challenge (refused as Kratos refuses it) and fetches Hydra's login request for it. */
export async function oauth2RegistrationInit(
  provider: OAuth2Provider | undefined,
  request: FastifyRequest,
): Promise<OAuth2RegistrationInit> {
  const challenge = initChallenge(provider, request);
  if (challenge === undefined) return { challenge, loginRequest: undefined };
  return { challenge, loginRequest: await providerFor(provider).hydra.getLoginRequest(challenge) };
}

/**
 * Kratos's createBrowserRegistrationFlow for a browser already signed in that comes with a
 * login challenge: when Hydra may skip the login, it is accepted for the session at once;
 * otherwise the person must sign in again, so the browser goes (302) to the login init with the
 * same parameters (return_to replaced by Hydra's request_url with `override_return_to`).
 */
export async function answerSignedInOAuth2(
  deps: { oauth2Provider?: OAuth2Provider; publicBase: URL },
  request: FastifyRequest,
  reply: FastifyReply,
  init: { challenge: string; loginRequest: OAuth2LoginRequest },
  current: Authenticated,
): Promise<FastifyReply> {
  const provider = providerFor(deps.oauth2Provider);
  if (init.loginRequest.skip) {
    const redirectTo = await acceptForSignedIn(provider, init.challenge, current);
    return sendBrowserToHydra(request, reply, redirectTo);
  }
  const query = new URL(publicRequestUrl(request, deps.publicBase)).searchParams;
  if (provider.overrideReturnTo && init.loginRequest.request_url !== '') {
    query.set('return_to', init.loginRequest.request_url);
  }
  const login = new URL(publicUrl(deps.publicBase, 'self-service/login/browser'));
  login.search = query.toString();
  return reply.redirect(login.toString(), 302);
}
