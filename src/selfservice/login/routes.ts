import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../kernel/errors.js';
import type { Authenticated } from '../../session/manager.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import { sessionAlreadyAvailable } from '../flow/flow-errors.js';
import { fetchFlowForClient } from '../flow/flow-steps.js';
import { csrfBinding, csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import { requestedFlowSchema } from '../flow/identity-schema.js';
import { publicRequestUrl } from '../flow/request-url.js';
import { serializeFlow, withExchangeCode } from '../flow/serialize.js';
import { exchangeAskedOnLogin, tokenExchangeForInit } from '../flow/token-exchange.js';
import type { LoginDeps } from './deps.js';
import { createLoginFlow } from './flow.js';
import {
  acceptForSignedIn,
  initChallenge,
  loginRequestOnFetch,
  respondWithOAuth2Flow,
  sendBrowserToHydra,
  withOAuth2Fields,
} from './oauth2-flow.js';
import { type LoginInitQuery, oauth2BrowserInit } from './oauth2-init.js';
import { submitLogin } from './submit.js';
import { tokenExchangeRoute } from './token-exchange-route.js';

/**
 * Every parameter is a string, read as Kratos's NewLoginFlow reads it: never a 400 for how a flag
 * is spelled. UIs send them empty (kratos-selfservice-ui-node starts every login with
 * `?aal=&refresh=&return_to=&organization=&via=`). `organization` and `via` are read by no one.
 */
const initQuery = {
  type: 'object',
  properties: {
    refresh: { type: 'string' },
    return_to: { type: 'string' },
    aal: { type: 'string' },
    identity_schema: { type: 'string' },
    return_session_token_exchange_code: { type: 'string' },
    login_challenge: { type: 'string' },
  },
} as const;

interface InitState {
  /** The request's session, when it has one. */
  current: Authenticated | undefined;
  /** The session's identity, when the request has a session. */
  identityId: string | undefined;
  refresh: boolean;
  identitySchema: string | undefined;
}

/** Kratos's ErrSessionRequiredForHigherAAL (selfservice/flow/login/error.go). */
function sessionRequiredForHigherAal(): AppError {
  return new AppError(
    'session_aal1_required',
    401,
    'aal2 and aal3 can only be requested if a session exists already',
    { reason: 'You can not requested a higher AAL (AAL2/AAL3) without an active session.' },
  );
}

/** Login routes as on Kratos's public port: init (api, browser), fetch, submit. */
export function loginRoutes(deps: LoginDeps) {
  async function sessionOf(request: FastifyRequest): Promise<Authenticated | undefined> {
    const token = sessionTokenFrom(request, deps.tokens);
    return token === undefined ? undefined : await deps.sessions.authenticate(token);
  }

  function returnToOf(query: LoginInitQuery): string | null {
    return deps.returnTo.requested(query.return_to);
  }

  /**
   * Kratos's NewLoginFlow checks, before any flow exists: `aal` must be aal1 or aal2 (empty is
   * aal1), a higher AAL needs a session to step up from, and `refresh` (true for exactly "true",
   * login/flow.go NewFlow) only applies to a session that exists.
   */
  async function initState(
    request: FastifyRequest,
    query: LoginInitQuery = request.query as LoginInitQuery,
  ): Promise<InitState> {
    const identitySchema = requestedFlowSchema(deps.flowSchemas, query.identity_schema);
    const aal = (query.aal ?? '').toLowerCase();
    if (aal !== '' && aal !== 'aal1' && aal !== 'aal2') {
      throw badRequest(`Unable to parse AuthenticationMethod Assurance Level (AAL): ${query.aal}`);
    }
    const current = await sessionOf(request);
    const identityId = current?.session.identityId;
    if (aal === 'aal2' && identityId === undefined) throw sessionRequiredForHigherAal();
    return {
      current,
      identityId,
      refresh: identityId !== undefined && query.refresh === 'true',
      identitySchema,
    };
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/self-service/login/api', { schema: { querystring: initQuery } }, async (request, reply) => {
      const query = request.query as LoginInitQuery;
      // Kratos's NewFlow keeps a native flow's challenge without asking Hydra, and never accepts it.
      const challenge = initChallenge(deps.oauth2Provider, request);
      const state = await initState(request);
      if (state.identityId !== undefined && !state.refresh) throw sessionAlreadyAvailable('login');
      const returnTo = returnToOf(query);
      // Kratos creates the exchanger only when no session exists: a refresh gets no code.
      const exchange =
        state.identityId === undefined && exchangeAskedOnLogin(query.return_session_token_exchange_code)
          ? tokenExchangeForInit('login')
          : undefined;
      const flow = await createLoginFlow(deps, {
        id: exchange?.flowId,
        type: 'api',
        requestUrl: publicRequestUrl(request, deps.publicBase),
        returnTo,
        refresh: state.refresh,
        refreshIdentityId: state.identityId,
        identitySchema: state.identitySchema,
        tokenExchange: exchange?.state,
        oauth2Challenge: challenge,
      });
      // `before` hooks see the new flow; a failing one stops it from starting.
      const refused = await deps.hooks?.before('login', request, flow);
      if (refused) throw refused;
      return reply.send(withExchangeCode(withOAuth2Fields(serializeFlow(flow), flow), exchange?.initCode));
    });

    app.get('/self-service/login/browser', { schema: { querystring: initQuery } }, async (request, reply) => {
      const oauth2 = await oauth2BrowserInit(
        deps.oauth2Provider,
        request,
        publicRequestUrl(request, deps.publicBase),
      );
      const returnTo = returnToOf(oauth2.query);
      const state = await initState(request, oauth2.query);
      if (state.current !== undefined && !state.refresh) {
        // Hydra remembers the person and this browser is signed in: its login is accepted as is.
        if (oauth2.challenge !== undefined) {
          const redirectTo = await acceptForSignedIn(deps.oauth2Provider, oauth2.challenge, state.current);
          return sendBrowserToHydra(request, reply, redirectTo);
        }
        if (wantsJson(request)) throw sessionAlreadyAvailable('login');
        return reply.redirect(returnTo ?? deps.config.defaultReturnUrl, 303);
      }
      const secret = ensureCsrfSecret(request, reply, deps.cookies);
      const flow = await createLoginFlow(deps, {
        type: 'browser',
        requestUrl: oauth2.requestUrl,
        returnTo,
        refresh: state.refresh,
        refreshIdentityId: state.identityId,
        csrfToken: csrfTokenFor(secret),
        csrfBinding: csrfBinding(secret),
        identitySchema: state.identitySchema,
        oauth2Challenge: oauth2.challenge,
      });
      // `before` hooks see the new flow; a failing one stops it from starting.
      const refused = await deps.hooks?.before('login', request, flow);
      if (refused) throw refused;
      return respondWithOAuth2Flow(request, reply, flow, deps.config.login.uiUrl, oauth2.loginRequest);
    });

    app.get('/self-service/login/flows', async (request: FastifyRequest, reply: FastifyReply) => {
      const flow = await fetchFlowForClient(deps, 'login', request);
      const loginRequest = await loginRequestOnFetch(deps.oauth2Provider, flow);
      return reply.send(withOAuth2Fields(serializeFlow(flow), flow, loginRequest));
    });

    app.post('/self-service/login', async (request, reply) => submitLogin(deps, request, reply));

    await app.register(tokenExchangeRoute(deps));
  };
}
