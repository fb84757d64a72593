import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sessionTokenFrom } from '../../session/request-token.js';
import { sessionAlreadyAvailable } from '../flow/flow-errors.js';
import { fetchFlowForClient } from '../flow/flow-steps.js';
import { csrfBinding, csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import { requestedFlowSchema } from '../flow/identity-schema.js';
import { publicRequestUrl } from '../flow/request-url.js';
import { respondWithFlow } from '../flow/respond.js';
import { serializeFlow, withExchangeCode } from '../flow/serialize.js';
import { exchangeAskedOnRegistration, tokenExchangeForInit } from '../flow/token-exchange.js';
import type { RegistrationDeps } from './deps.js';
import { registrationDisabled } from './errors.js';
import { createRegistrationFlow } from './flow.js';
import { submitRegistration } from './submit.js';

/**
 * Every parameter is a string, read as Kratos's NewRegistrationFlow reads it: never a 400 for how
 * a flag is spelled, and empty values (as UIs copy their own query) ask for nothing.
 */
const initQuery = {
  type: 'object',
  properties: {
    return_to: { type: 'string' },
    identity_schema: { type: 'string' },
    return_session_token_exchange_code: { type: 'string' },
  },
} as const;

/** Registration routes as on Kratos's public port: init (api, browser), fetch, submit. */
export function registrationRoutes(deps: RegistrationDeps) {
  async function signedIn(request: FastifyRequest): Promise<boolean> {
    const token = sessionTokenFrom(request, deps.tokens);
    return token !== undefined && (await deps.sessions.authenticate(token)) !== undefined;
  }

  function identitySchemaOf(request: FastifyRequest): string | undefined {
    const { identity_schema } = request.query as { identity_schema?: string };
    return requestedFlowSchema(deps.flowSchemas, identity_schema);
  }

  function returnToOf(request: FastifyRequest): string | null {
    return deps.returnTo.requested((request.query as { return_to?: string }).return_to);
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get(
      '/self-service/registration/api',
      { schema: { querystring: initQuery } },
      async (request, reply) => {
        if (!deps.config.registration.enabled) throw registrationDisabled();
        if (await signedIn(request)) throw sessionAlreadyAvailable('registration');
        const { return_session_token_exchange_code: asked } = request.query as {
          return_session_token_exchange_code?: string;
        };
        const returnTo = returnToOf(request);
        const exchange = exchangeAskedOnRegistration(asked)
          ? tokenExchangeForInit('registration')
          : undefined;
        const flow = await createRegistrationFlow(deps, {
          id: exchange?.flowId,
          type: 'api',
          requestUrl: publicRequestUrl(request, deps.publicBase),
          returnTo,
          identitySchema: identitySchemaOf(request),
          tokenExchange: exchange?.state,
        });
        // `before` hooks see the new flow; a failing one stops it from starting.
        const refused = await deps.hooks?.before('registration', request, flow);
        if (refused) throw refused;
        return reply.send(withExchangeCode(serializeFlow(flow), exchange?.initCode));
      },
    );

    app.get(
      '/self-service/registration/browser',
      { schema: { querystring: initQuery } },
      async (request, reply) => {
        if (!deps.config.registration.enabled) throw registrationDisabled();
        const returnTo = returnToOf(request);
        const identitySchema = identitySchemaOf(request);
        if (await signedIn(request)) {
          if (wantsJson(request)) throw sessionAlreadyAvailable('registration');
          return reply.redirect(returnTo ?? deps.config.defaultReturnUrl, 303);
        }
        const secret = ensureCsrfSecret(request, reply, deps.cookies);
        const flow = await createRegistrationFlow(deps, {
          type: 'browser',
          requestUrl: publicRequestUrl(request, deps.publicBase),
          returnTo,
          csrfToken: csrfTokenFor(secret),
          csrfBinding: csrfBinding(secret),
          identitySchema,
        });
        // `before` hooks see the new flow; a failing one stops it from starting.
        const refused = await deps.hooks?.before('registration', request, flow);
        if (refused) throw refused;
        return respondWithFlow(request, reply, flow, deps.config.registration.uiUrl);
      },
    );

    app.get('/self-service/registration/flows', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!deps.config.registration.enabled) throw registrationDisabled();
      return reply.send(serializeFlow(await fetchFlowForClient(deps, 'registration', request)));
    });

    app.post('/self-service/registration', async (request, reply) =>
      submitRegistration(deps, request, reply),
    );
  };
}
