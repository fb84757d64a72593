import type { FastifyRequest } from 'fastify';

/**
 * The URL a request was made to, as the outside world sees it: the configured public base
 * URL (which may carry a path prefix a gateway strips) plus the path and query received.
 * Never built from the Host header.
 */
export function publicRequestUrl(request: FastifyRequest, publicBase: URL): string {
  // Only path and query: an absolute-form request target (`GET http://evil/...`) names no host here.
  const { pathname, search } = new URL(request.url, 'http://request.invalid');
  return new URL(`${pathname.replace(/^\/+/, '')}${search}`, publicBase).toString();
}

/** A URL on the public API, e.g. `self-service/login?flow=<id>`. */
export function publicUrl(publicBase: URL, path: string): string {
  return new URL(path.replace(/^\/+/, ''), publicBase).toString();
}
