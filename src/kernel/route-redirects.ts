import type { FastifyInstance, HTTPMethods } from 'fastify';

/** The prefix Kratos also serves its admin API under. */
export const ADMIN_PREFIX = '/admin';

/** A route to redirect: its method (or methods) and path. */
export type RedirectedRoute = readonly [HTTPMethods | HTTPMethods[], string];

/**
 * Answers each of `routes` on `app` with a 307 (the client keeps the method and the body) to the
 * same path and query, `/admin` dropped, under `base` and then `targetPrefix`: what Kratos's
 * redir.RedirectToAdminRoute (`targetPrefix` `/admin`) and x.RedirectToPublicRoute (`''`) answer
 * on the other listener.
 */
export function registerRedirects(
  app: FastifyInstance,
  routes: ReadonlyArray<RedirectedRoute>,
  base: URL,
  targetPrefix: '' | typeof ADMIN_PREFIX,
): void {
  for (const [method, url] of routes) {
    app.route({
      method,
      url,
      handler: (request, reply) => {
        const local = request.url.startsWith(`${ADMIN_PREFIX}/`)
          ? request.url.slice(ADMIN_PREFIX.length)
          : request.url;
        // The base URL's path ends with '/'; the route's path starts with one.
        return reply.redirect(new URL(`.${targetPrefix}${local}`, base).toString(), 307);
      },
    });
  }
}
