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
import { tokenExchangeForInit } from '../flow/token-exchange.js';
import type { LoginDeps } from './deps.js';
import { createLoginFlow } from './flow.js';
import { submitLogin } from './submit.js';
import { tokenExchangeRoute } from './token-exchange-route.js';

const initQuery = {
  type: 'object',
  properties: {
    refresh: { type: 'boolean' },
    return_to: { type: 'string' },
    aal: { type: 'string' },
    identity_schema: { type: 'string' },
    return_session_token_exchange_code: { type: 'boolean' },
  },
} as const;

interface InitQuery {
  refresh?: boolean;
  return_to?: string;
  aal?: string;
  identity_schema?: string;
  return_session_token_exchange_code?: boolean;
}

/** Kratos's ErrSessionRequiredForHigherAAL. */
function sessionRequiredForHigherAal(): AppError {
  return new AppError('session_aal1_required', 401, 'The request could not be authorized', {
    reason: 'You can not requested a higher AAL (AAL2/AAL3) without an active session.',
  });
}

/** Login routes as on Kratos's public port: init (api, browser), fetch, submit. */
export function loginRoutes(deps: LoginDeps) {
  async function signedIn(request: FastifyRequest): Promise<boolean> {
    const token = sessionTokenFrom(request, deps.tokens);
    return token !== undefined && (await deps.sessions.authenticate(token)) !== undefined;
  }

  function returnToOf(query: InitQuery): string | null {
    return query.return_to === undefined ? null : deps.returnTo.resolve(query.return_to).toString();
  }

  /**
   * Kratos's NewLoginFlow checks, before any flow exists: `aal` must be aal1 or aal2, a higher
   * AAL needs a session to step up from, and `refresh` only applies to a session that exists.
   */
  async function initState(
    request: FastifyRequest,
  ): Promise<{ signedIn: boolean; refresh: boolean; identitySchema: string | undefined }> {
    const query = request.query as InitQuery;
    const identitySchema = requestedFlowSchema(deps.flowSchemas, query.identity_schema);
    const aal = (query.aal ?? '').toLowerCase();
    if (aal !== '' && aal !== 'aal1' && aal !== 'aal2') {
      throw badRequest(`Unable to parse AuthenticationMethod Assurance Level (AAL): ${query.aal}`);
    }
    const session = await signedIn(request);
    if (aal === 'aal2' && !session) throw sessionRequiredForHigherAal();
    return { signedIn: session, refresh: session && query.refresh === true, identitySchema };
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/self-service/login/api', { schema: { querystring: initQuery } }, async (request, reply) => {
      const query = request.query as InitQuery;
      const state = await initState(request);
      if (state.signedIn && !state.refresh) throw sessionAlreadyAvailable('login');
      const returnTo = returnToOf(query);
      const exchange = tokenExchangeForInit('login', {
        wanted: query.return_session_token_exchange_code,
        returnTo,
        refresh: state.refresh,
      });
      const flow = await createLoginFlow(deps, {
        id: exchange?.flowId,
        type: 'api',
        requestUrl: publicRequestUrl(request, deps.publicBase),
        returnTo,
        refresh: state.refresh,
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
      if (state.signedIn && !state.refresh) {
        if (wantsJson(request)) throw sessionAlreadyAvailable('login');
        return reply.redirect(returnTo ?? deps.config.defaultReturnUrl, 303);
      }
      const secret = ensureCsrfSecret(request, reply, deps.cookies);
      const flow = await createLoginFlow(deps, {
        type: 'browser',
        requestUrl: publicRequestUrl(request, deps.publicBase),
        returnTo,
        refresh: state.refresh,
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
