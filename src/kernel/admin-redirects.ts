import type { FastifyInstance, HTTPMethods } from 'fastify';
import { ADMIN_PREFIX, registerRedirects } from './route-redirects.js';

/**
 * The admin routes Kratos's public listener answers with a 307 to the admin listener
 * (redir.RedirectToAdminRoute, registered by identity.Handler.RegisterPublicRoutes and
 * session.Handler.RegisterPublicRoutes): the identity API, with and without `/admin`, and the
 * deletion of an identity's sessions. An `@ory/client` IdentityApi configured with the public
 * URL by mistake so still reaches the admin API, when the caller can reach it; the answer holds
 * nothing but the admin base URL (`serve.admin.base_url`).
 */
const IDENTITY_ROUTES: ReadonlyArray<[HTTPMethods, string]> = [
  ['GET', '/identities'],
  ['GET', '/identities/by/external/:externalID'],
  ['GET', '/identities/:id'],
  ['DELETE', '/identities/:id'],
  ['POST', '/identities'],
  ['PUT', '/identities/:id'],
  ['PATCH', '/identities/:id'],
  ['DELETE', '/identities/:id/credentials/:type'],
];

const ADMIN_ROUTES: ReadonlyArray<[HTTPMethods, string]> = [
  ...IDENTITY_ROUTES,
  ...IDENTITY_ROUTES.map(([method, path]): [HTTPMethods, string] => [method, `${ADMIN_PREFIX}${path}`]),
  // Kratos registers this one without `/admin` only.
  ['DELETE', '/identities/:id/sessions'],
];

/**
 * Registers those routes on the public listener, in a scope of their own that takes any body
 * unparsed (the redirect reads none; the client sends it again to the admin URL): 307, to the
 * same path and query under `adminBaseUrl` and `/admin`, as Kratos's RedirectToAdminRoute.
 */
export function adminRouteRedirects(adminBaseUrl: URL) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
    registerRedirects(app, ADMIN_ROUTES, adminBaseUrl, ADMIN_PREFIX);
  };
}
