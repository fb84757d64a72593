/**
 * Ory Hydra as the OAuth2 provider the login and registration flows serve: Hydra sends the
 * browser to `/self-service/login/browser?login_challenge=…`, the flow signs the person in, and
 * Portcullis accepts the login request at Hydra's admin API and sends the browser back.
 *
 * @example
 * const oauth2Provider = createOAuth2Provider({ document, http, session: registry.sessionConfig });
 * // undefined without `oauth2_provider.url`: a login_challenge is then refused (500).
 */
import { oauth2ProviderConfig } from '../config/areas/oauth2-provider.js';
import type { SessionConfig } from '../config/index.js';
import type { KratosConfigDocument } from '../config/types.js';
import type { OutboundHttp } from '../kernel/http-client.js';
import { createHydraAdmin, type HydraAdmin } from './admin-client.js';

export {
  type AcceptLogin,
  createHydraAdmin,
  type HydraAdmin,
  type HydraAdminOptions,
} from './admin-client.js';
export { loginChallengeFrom } from './challenge.js';
export { loginAcceptFailed, loginRequestUnavailable } from './errors.js';
export { loginRequestJson, type OAuth2LoginRequest, readLoginRequest } from './login-request.js';

/** What the flows need of `oauth2_provider`. */
export interface OAuth2Provider {
  hydra: HydraAdmin;
  /** `oauth2_provider.override_return_to`. */
  overrideReturnTo: boolean;
}

/** The configured provider, or undefined when `oauth2_provider.url` is unset. */
export function createOAuth2Provider(input: {
  document: KratosConfigDocument;
  http: OutboundHttp;
  session: Pick<SessionConfig, 'lifespanMs' | 'cookie'>;
}): OAuth2Provider | undefined {
  const provider = oauth2ProviderConfig(input.document);
  if (provider === undefined) return undefined;
  return {
    hydra: createHydraAdmin({
      http: input.http,
      provider,
      // As Kratos's AcceptLoginRequest: remember while a persistent session cookie would last.
      remember: input.session.cookie.persistent,
      rememberForSeconds: Math.trunc(input.session.lifespanMs / 1000),
    }),
    overrideReturnTo: provider.overrideReturnTo,
  };
}
