import type { FastifyInstance, HTTPMethods } from 'fastify';
import { ADMIN_PREFIX, type RedirectedRoute, registerRedirects } from '../kernel/route-redirects.js';
import { WHOAMI_METHODS } from '../session/public-routes.js';

/** Every self-service flow's init, fetch and submit routes. */
const flowRoutes = (flow: string): Array<[HTTPMethods[], string]> => [
  [['GET'], `/self-service/${flow}/browser`],
  [['GET'], `/self-service/${flow}/api`],
  [['GET'], `/self-service/${flow}/flows`],
  [['GET', 'POST'], `/self-service/${flow}`],
];

/**
 * The public routes Kratos's admin listener answers with a 307 to the public listener
 * (`x.RedirectToPublicRoute`), so a client pointed at the admin URL still reaches them: the
 * self-service flows, logout, the error fetch, whoami (every method it answers) and revoking the
 * caller's other sessions.
 */
const PUBLIC_ROUTES: ReadonlyArray<[HTTPMethods[], string]> = [
  ...['login', 'registration', 'settings', 'recovery', 'verification'].flatMap(flowRoutes),
  [['GET'], '/self-service/logout/browser'],
  [['DELETE'], '/self-service/logout/api'],
  [['GET'], '/self-service/logout'],
  [['GET'], '/self-service/errors'],
  [[...WHOAMI_METHODS], '/sessions/whoami'],
  // The caller's own sessions: the admin API has no DELETE on the collection.
  [['DELETE'], '/sessions'],
];

/** Under `/admin` and at the root, as the rest of the admin API. */
const REDIRECTED: ReadonlyArray<RedirectedRoute> = [ADMIN_PREFIX, ''].flatMap((prefix) =>
  PUBLIC_ROUTES.map(([method, path]): RedirectedRoute => [method, `${prefix}${path}`]),
);

/**
 * Registers those routes on the admin listener, under `/admin` and at the root as the rest of the
 * admin API: 307 (the method and body are kept) to the same path and query on the public base
 * URL, `/admin` dropped, as Kratos does.
 */
export function publicRouteRedirects(publicBaseUrl: URL) {
  return async function register(app: FastifyInstance): Promise<void> {
    registerRedirects(app, REDIRECTED, publicBaseUrl, '');
  };
}
