import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticated } from '../../session/manager.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import { sessionAlreadyAvailable } from '../flow/flow-errors.js';
import { fetchFlowForClient } from '../flow/flow-steps.js';
import { csrfBinding, csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import { requestedFlowSchema } from '../flow/identity-schema.js';
import { publicRequestUrl } from '../flow/request-url.js';
import { serializeFlow, withExchangeCode } from '../flow/serialize.js';
import { exchangeAskedOnRegistration, tokenExchangeForInit } from '../flow/token-exchange.js';
import {
  initChallenge,
  loginRequestOnFetch,
  respondWithOAuth2Flow,
  withOAuth2Fields,
} from '../login/oauth2-flow.js';
import type { RegistrationDeps } from './deps.js';
import { registrationDisabled } from './errors.js';
import { createRegistrationFlow } from './flow.js';
import { answerSignedInOAuth2, oauth2RegistrationInit } from './oauth2-init.js';
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
    login_challenge: { type: 'string' },
  },
} as const;

/** Registration routes as on Kratos's public port: init (api, browser), fetch, submit. */
export function registrationRoutes(deps: RegistrationDeps) {
  async function sessionOf(request: FastifyRequest): Promise<Authenticated | undefined> {
    const token = sessionTokenFrom(request, deps.tokens);
    return token === undefined ? undefined : await deps.sessions.authenticate(token);
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
        if ((await sessionOf(request)) !== undefined) throw sessionAlreadyAvailable('registration');
        const { return_session_token_exchange_code: asked } = request.query as {
          return_session_token_exchange_code?: string;
        };
        const returnTo = returnToOf(request);
        // Kratos's NewFlow keeps a native flow's challenge without asking Hydra, and never accepts it.
        const challenge = initChallenge(deps.oauth2Provider, request);
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
          oauth2Challenge: challenge,
        });
        // `before` hooks see the new flow; a failing one stops it from starting.
        const refused = await deps.hooks?.before('registration', request, flow);
        if (refused) throw refused;
        return reply.send(withExchangeCode(withOAuth2Fields(serializeFlow(flow), flow), exchange?.initCode));
      },
    );

    app.get(
      '/self-service/registration/browser',
      { schema: { querystring: initQuery } },
      async (request, reply) => {
        if (!deps.config.registration.enabled) throw registrationDisabled();
        const returnTo = returnToOf(request);
        const identitySchema = identitySchemaOf(request);
        const oauth2 = await oauth2RegistrationInit(deps.oauth2Provider, request);
        const current = await sessionOf(request);
        if (current !== undefined) {
          if (oauth2.challenge !== undefined && oauth2.loginRequest !== undefined) {
            return answerSignedInOAuth2(
              deps,
              request,
              reply,
              { challenge: oauth2.challenge, loginRequest: oauth2.loginRequest },
              current,
            );
          }
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
          oauth2Challenge: oauth2.challenge,
        });
        // `before` hooks see the new flow; a failing one stops it from starting.
        const refused = await deps.hooks?.before('registration', request, flow);
        if (refused) throw refused;
        return respondWithOAuth2Flow(
          request,
          reply,
          flow,
          deps.config.registration.uiUrl,
          oauth2.loginRequest,
        );
      },
    );

    app.get('/self-service/registration/flows', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!deps.config.registration.enabled) throw registrationDisabled();
      const flow = await fetchFlowForClient(deps, 'registration', request);
      const loginRequest = await loginRequestOnFetch(deps.oauth2Provider, flow);
      return reply.send(withOAuth2Fields(serializeFlow(flow), flow, loginRequest));
    });

    app.post('/self-service/registration', async (request, reply) =>
      submitRegistration(deps, request, reply),
    );
  };
}
