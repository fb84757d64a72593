import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../kernel/errors.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import { sessionAlreadyAvailable } from '../flow/flow-errors.js';
import { fetchFlowForClient } from '../flow/flow-steps.js';
import { csrfBinding, csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import { requestedFlowSchema } from '../flow/identity-schema.js';
import { publicRequestUrl } from '../flow/request-url.js';
import { respondWithFlow } from '../flow/respond.js';
import { serializeFlow, withExchangeCode } from '../flow/serialize.js';
import { exchangeAskedOnLogin, tokenExchangeForInit } from '../flow/token-exchange.js';
import type { LoginDeps } from './deps.js';
import { createLoginFlow } from './flow.js';
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
  },
} as const;

interface InitQuery {
  refresh?: string;
  return_to?: string;
  aal?: string;
  identity_schema?: string;
  return_session_token_exchange_code?: string;
}

interface InitState {
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
  async function sessionIdentityOf(request: FastifyRequest): Promise<string | undefined> {
    const token = sessionTokenFrom(request, deps.tokens);
    return token === undefined ? undefined : (await deps.sessions.authenticate(token))?.session.identityId;
  }

  function returnToOf(query: InitQuery): string | null {
    return deps.returnTo.requested(query.return_to);
  }

  /**
   * Kratos's NewLoginFlow checks, before any flow exists: `aal` must be aal1 or aal2 (empty is
   * aal1), a higher AAL needs a session to step up from, and `refresh` (true for exactly "true",
   * login/flow.go NewFlow) only applies to a session that exists.
   */
  async function initState(request: FastifyRequest): Promise<InitState> {
    const query = request.query as InitQuery;
    const identitySchema = requestedFlowSchema(deps.flowSchemas, query.identity_schema);
    const aal = (query.aal ?? '').toLowerCase();
    if (aal !== '' && aal !== 'aal1' && aal !== 'aal2') {
      throw badRequest(`Unable to parse AuthenticationMethod Assurance Level (AAL): ${query.aal}`);
    }
    const identityId = await sessionIdentityOf(request);
    if (aal === 'aal2' && identityId === undefined) throw sessionRequiredForHigherAal();
    return { identityId, refresh: identityId !== undefined && query.refresh === 'true', identitySchema };
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/self-service/login/api', { schema: { querystring: initQuery } }, async (request, reply) => {
      const query = request.query as InitQuery;
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
      });
      // `before` hooks see the new flow; a failing one stops it from starting.
      const refused = await deps.hooks?.before('login', request, flow);
      if (refused) throw refused;
      return reply.send(withExchangeCode(serializeFlow(flow), exchange?.initCode));
    });

    app.get('/self-service/login/browser', { schema: { querystring: initQuery } }, async (request, reply) => {
      const query = request.query as InitQuery;
      const returnTo = returnToOf(query);
      const state = await initState(request);
      if (state.identityId !== undefined && !state.refresh) {
        if (wantsJson(request)) throw sessionAlreadyAvailable('login');
        return reply.redirect(returnTo ?? deps.config.defaultReturnUrl, 303);
      }
      const secret = ensureCsrfSecret(request, reply, deps.cookies);
      const flow = await createLoginFlow(deps, {
        type: 'browser',
        requestUrl: publicRequestUrl(request, deps.publicBase),
        returnTo,
        refresh: state.refresh,
        refreshIdentityId: state.identityId,
        csrfToken: csrfTokenFor(secret),
        csrfBinding: csrfBinding(secret),
        identitySchema: state.identitySchema,
      });
      // `before` hooks see the new flow; a failing one stops it from starting.
      const refused = await deps.hooks?.before('login', request, flow);
      if (refused) throw refused;
      return respondWithFlow(request, reply, flow, deps.config.login.uiUrl);
    });

    app.get('/self-service/login/flows', async (request: FastifyRequest, reply: FastifyReply) => {
      return reply.send(serializeFlow(await fetchFlowForClient(deps, 'login', request)));
    });

    app.post('/self-service/login', async (request, reply) => submitLogin(deps, request, reply));

    await app.register(tokenExchangeRoute(deps));
  };
}
