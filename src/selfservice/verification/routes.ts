import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../../kernel/errors.js';
import { fetchFlowForClient } from '../flow/flow-steps.js';
import { csrfBinding, csrfTokenFor, ensureCsrfSecret } from '../flow/http-context.js';
import { publicRequestUrl } from '../flow/request-url.js';
import { respondWithFlow } from '../flow/respond.js';
import { serializeFlow } from '../flow/serialize.js';
import type { VerificationDeps } from './deps.js';
import { createVerificationFlow } from './flow.js';
import { assertActiveMethodEnabled } from './methods.js';
import { followVerificationLink, submitVerification } from './submit.js';

const initQuery = {
  type: 'object',
  properties: { return_to: { type: 'string' } },
} as const;

/** Verification routes as on Kratos's public port: init (api, browser), fetch, submit, email link. */
export function verificationRoutes(deps: VerificationDeps) {
  function assertEnabled(): void {
    if (!deps.config.verification.enabled) {
      throw badRequest('Verification is not allowed because it was disabled.');
    }
  }

  /** A flow starts only with its `use` method switched on (see assertActiveMethodEnabled). */
  function assertCanStart(): void {
    assertEnabled();
    assertActiveMethodEnabled(deps);
  }

  function returnToOf(request: FastifyRequest): string | null {
    return deps.returnTo.requested((request.query as { return_to?: string }).return_to);
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get(
      '/self-service/verification/api',
      { schema: { querystring: initQuery } },
      async (request, reply) => {
        assertCanStart();
        const flow = await createVerificationFlow(deps, {
          type: 'api',
          requestUrl: publicRequestUrl(request, deps.publicBase),
          returnTo: returnToOf(request),
        });
        // `before` hooks see the new flow; a failing one stops it from starting.
        const refused = await deps.hooks?.before('verification', request, flow);
        if (refused) throw refused;
        return reply.send(serializeFlow(flow));
      },
    );

    app.get(
      '/self-service/verification/browser',
      { schema: { querystring: initQuery } },
      async (request, reply) => {
        assertCanStart();
        const returnTo = returnToOf(request);
        const secret = ensureCsrfSecret(request, reply, deps.cookies);
        const flow = await createVerificationFlow(deps, {
          type: 'browser',
          requestUrl: publicRequestUrl(request, deps.publicBase),
          returnTo,
          csrfToken: csrfTokenFor(secret),
          csrfBinding: csrfBinding(secret),
        });
        // `before` hooks see the new flow; a failing one stops it from starting.
        const refused = await deps.hooks?.before('verification', request, flow);
        if (refused) throw refused;
        return respondWithFlow(request, reply, flow, deps.config.verification.uiUrl);
      },
    );

    app.get('/self-service/verification/flows', async (request: FastifyRequest, reply: FastifyReply) => {
      return reply.send(serializeFlow(await fetchFlowForClient(deps, 'verification', request)));
    });

    app.post('/self-service/verification', async (request, reply) => {
      assertEnabled();
      return submitVerification(deps, request, reply);
    });

    app.get('/self-service/verification', async (request, reply) => {
      assertEnabled();
      return followVerificationLink(deps, request, reply);
    });
  };
}
