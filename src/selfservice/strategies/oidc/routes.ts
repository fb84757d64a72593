import type { FastifyInstance } from 'fastify';
import { handleCallback } from './callback.js';
import type { OidcDeps } from './deps.js';

/**
 * The providers' callbacks: `/self-service/methods/oidc/callback/{provider}`, and without the
 * provider for `pkce: force` (as Kratos). GET for the usual query response, POST for
 * `response_mode=form_post` (Sign in with Apple).
 */
export function oidcRoutes(deps: OidcDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    for (const path of [
      '/self-service/methods/oidc/callback/:provider',
      '/self-service/methods/oidc/callback',
    ]) {
      app.get(path, (request, reply) => handleCallback(deps, request, reply));
      app.post(path, (request, reply) => handleCallback(deps, request, reply));
    }
  };
}
