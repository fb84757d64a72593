import type { FastifyInstance } from 'fastify';
import { handleCallback } from './callback.js';
import type { OidcDeps } from './deps.js';
import { FORM_POST_BODY_LIMIT, redirectCallbackToGet } from './form-post.js';

/**
 * The providers' callbacks: `/self-service/methods/oidc/callback/{provider}`, and without the
 * provider for `pkce: force` (as Kratos). GET does the work; POST, the `response_mode=form_post`
 * of Sign in with Apple, only sends the browser on to the GET (Kratos's `redirectToGET`). Kratos
 * takes the POST on the per-provider path alone; here both paths take it, so a `pkce: force`
 * provider may use `form_post` too.
 */
export function oidcRoutes(deps: OidcDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    for (const path of [
      '/self-service/methods/oidc/callback/:provider',
      '/self-service/methods/oidc/callback',
    ]) {
      app.get(path, (request, reply) => handleCallback(deps, request, reply));
      app.post(path, { bodyLimit: FORM_POST_BODY_LIMIT }, (request, reply) =>
        redirectCallbackToGet(deps, request, reply),
      );
    }
  };
}
