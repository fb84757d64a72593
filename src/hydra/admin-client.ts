import type { OAuth2ProviderConfig } from '../config/areas/oauth2-provider.js';
import { badRequest } from '../kernel/errors.js';
import type { OutboundHttp, OutboundResponse } from '../kernel/http-client.js';
import { KRATOS_WEB_HOOK_POLICY, type ResilientPolicy, sendResilient } from '../webhooks/resilient.js';
import { type HydraFailure, loginAcceptFailed, loginRequestUnavailable } from './errors.js';
import { type OAuth2LoginRequest, readLoginRequest } from './login-request.js';

/** Who signed in, for Hydra's login accept (Kratos's AcceptLoginRequestParams). */
export interface AcceptLogin {
  challenge: string;
  /** The identity's id: Hydra's `subject`. */
  identityId: string;
  /** The session's id: Hydra's `identity_provider_session_id`. */
  sessionId: string;
  /** The session's authentication methods in order, one entry per completed method (`amr`). */
  methods: readonly string[];
}

/** The two calls to Hydra's admin API a login UI makes. Errors are AppErrors in Kratos's shape. */
export interface HydraAdmin {
  /** `GET /admin/oauth2/auth/requests/login?login_challenge=` */
  getLoginRequest(challenge: string): Promise<OAuth2LoginRequest>;
  /** `PUT /admin/oauth2/auth/requests/login/accept?login_challenge=`; resolves to Hydra's `redirect_to`. */
  acceptLoginRequest(login: AcceptLogin): Promise<string>;
}

export interface HydraAdminOptions {
  http: OutboundHttp;
  provider: OAuth2ProviderConfig;
  /** `session.cookie.persistent`: Hydra remembers the login as long as the session cookie lives. */
  remember: boolean;
  /** `session.lifespan` in whole seconds: how long Hydra remembers it. */
  rememberForSeconds: number;
  /**
   * Retries and per-attempt deadline; Kratos's HTTP client (two retries, 30 s an attempt, the
   * client web hooks use too) unless set.
   */
  policy?: ResilientPolicy;
}

const LOGIN_REQUESTS = 'admin/oauth2/auth/requests/login';

/** A Hydra admin client over the outbound HTTP client; `oauth2_provider.headers` on every call. */
export function createHydraAdmin(options: HydraAdminOptions): HydraAdmin {
  const { provider } = options;
  // Paths join the configured URL's own path (Hydra behind a gateway prefix), one slash between.
  const base = provider.url.toString().replace(/\/+$/, '');
  // Configured headers replace the client's own of the same name (Go's Header.Set).
  const configuredHeaders = Object.fromEntries(
    Object.entries(provider.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const urlOf = (path: string, challenge: string) =>
    `${base}/${path}?${new URLSearchParams({ login_challenge: challenge }).toString()}`;

  async function call(
    method: 'GET' | 'PUT',
    url: string,
    body?: string,
  ): Promise<{ ok: true; json: unknown } | { ok: false; failure: HydraFailure }> {
    const sent = await sendResilient(
      options.http,
      {
        url,
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...configuredHeaders,
        },
        ...(body === undefined ? {} : { body }),
      },
      options.policy ?? KRATOS_WEB_HOOK_POLICY,
    );
    if (sent.kind === 'error') return { ok: false, failure: { status: undefined } };
    if (sent.kind === 'status') return { ok: false, failure: { status: sent.status, body: undefined } };
    return answerOf(sent.response);
  }

  return {
    async getLoginRequest(challenge) {
      if (challenge === '') throw badRequest('invalid login_challenge');
      const answer = await call('GET', urlOf(LOGIN_REQUESTS, challenge));
      if (!answer.ok) throw loginRequestUnavailable(answer.failure);
      const request = readLoginRequest(answer.json);
      // An answer hydra-client-go cannot decode: an error with the response's status.
      if (request === undefined) throw loginRequestUnavailable({ status: 200, body: undefined });
      return request;
    },

    async acceptLoginRequest(login) {
      // Kratos's AcceptOAuth2LoginRequest body: no acr, context or extend_session_lifespan.
      const body = JSON.stringify({
        subject: login.identityId,
        identity_provider_session_id: login.sessionId,
        remember: options.remember,
        remember_for: options.rememberForSeconds,
        amr: login.methods,
      });
      const answer = await call('PUT', urlOf(`${LOGIN_REQUESTS}/accept`, login.challenge), body);
      if (!answer.ok) throw loginAcceptFailed(answer.failure);
      const redirectTo = (answer.json as { redirect_to?: unknown } | null)?.redirect_to;
      if (typeof redirectTo !== 'string') throw loginAcceptFailed({ status: 200, body: undefined });
      return redirectTo;
    },
  };
}

/** A 2xx answer's JSON, or the failure any other status is (hydra-client-go errors from 300 up). */
function answerOf(
  response: OutboundResponse,
): { ok: true; json: unknown } | { ok: false; failure: HydraFailure } {
  if (response.status >= 300) return { ok: false, failure: { status: response.status, body: response.body } };
  try {
    return { ok: true, json: JSON.parse(response.body.toString('utf8')) };
  } catch {
    return { ok: false, failure: { status: response.status, body: undefined } };
  }
}
