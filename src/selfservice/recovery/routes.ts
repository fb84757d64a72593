import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sessionTokenFrom } from '../../session/request-token.js';
import { sessionAlreadyAvailable } from '../flow/flow-errors.js';
import { fetchFlowForClient } from '../flow/flow-steps.js';
import { csrfBinding, csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import { publicRequestUrl } from '../flow/request-url.js';
import { respondWithFlow } from '../flow/respond.js';
import { serializeFlow } from '../flow/serialize.js';
import type { RecoveryDeps } from './deps.js';
import { createRecoveryFlow } from './flow.js';
import { assertActiveMethodEnabled, assertFlowAllowed, recoveryDisabled } from './methods.js';
import { followRecoveryLink, submitRecovery } from './submit.js';

const initQuery = {
  type: 'object',
  properties: { return_to: { type: 'string' } },
} as const;

/**
 * Recovery routes as on Kratos's public port: init (api, browser), fetch, submit, email link.
 * `selfservice.flows.recovery.enabled: false` closes the inits, and every flow but those an
 * admin issued (see assertFlowAllowed); the configured `use` must name an enabled method.
 */
export function recoveryRoutes(deps: RecoveryDeps) {
  function assertEnabled(): void {
    if (!deps.config.recovery.enabled) throw recoveryDisabled();
    assertActiveMethodEnabled(deps);
  }

  function returnToOf(request: FastifyRequest): string | null {
    return deps.returnTo.requested((request.query as { return_to?: string }).return_to);
  }

  /** Kratos refuses recovery to someone signed in: they should use settings. */
  async function signedIn(request: FastifyRequest): Promise<boolean> {
    const token = sessionTokenFrom(request, deps.tokens);
    return token !== undefined && (await deps.sessions.authenticate(token)) !== undefined;
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/self-service/recovery/api', { schema: { querystring: initQuery } }, async (request, reply) => {
      assertEnabled();
      if (await signedIn(request)) throw sessionAlreadyAvailable('recovery');
      const flow = await createRecoveryFlow(deps, {
        type: 'api',
        requestUrl: publicRequestUrl(request, deps.publicBase),
        returnTo: returnToOf(request),
      });
      // `before` hooks see the new flow; a failing one stops it from starting.
      const refused = await deps.hooks?.before('recovery', request, flow);
      if (refused) throw refused;
      return reply.send(serializeFlow(flow));
    });

    app.get(
      '/self-service/recovery/browser',
      { schema: { querystring: initQuery } },
      async (request, reply) => {
        assertEnabled();
        const returnTo = returnToOf(request);
        if (await signedIn(request)) {
          if (wantsJson(request)) throw sessionAlreadyAvailable('recovery');
          return reply.redirect(returnTo ?? deps.config.defaultReturnUrl, 303);
        }
        const secret = ensureCsrfSecret(request, reply, deps.cookies);
        const flow = await createRecoveryFlow(deps, {
          type: 'browser',
          requestUrl: publicRequestUrl(request, deps.publicBase),
          returnTo,
          csrfToken: csrfTokenFor(secret),
          csrfBinding: csrfBinding(secret),
        });
        // `before` hooks see the new flow; a failing one stops it from starting.
        const refused = await deps.hooks?.before('recovery', request, flow);
        if (refused) throw refused;
        return respondWithFlow(request, reply, flow, deps.config.recovery.uiUrl);
      },
    );

    app.get('/self-service/recovery/flows', async (request: FastifyRequest, reply: FastifyReply) => {
      const flow = await fetchFlowForClient(deps, 'recovery', request);
      // As Kratos's getRecoveryFlow, but for the flows an admin issued (their UI fetches them).
      assertFlowAllowed(deps, flow);
      return reply.send(serializeFlow(flow));
    });

    // Whether the flow may go on is for submit.ts to say, once it has loaded it.
    app.post('/self-service/recovery', async (request, reply) => submitRecovery(deps, request, reply));
    app.get('/self-service/recovery', async (request, reply) => followRecoveryLink(deps, request, reply));
  };
}
