import type { FastifyInstance } from 'fastify';

/** The most of a body a route that reads none takes (and drops) before answering 413. */
const IGNORED_BODY_LIMIT = 64 * 1024;

/**
 * For routes that read no body, in their own Fastify scope: whatever body comes, of any content
 * type, is taken up to a small limit and never parsed. Kratos answers these whatever a client
 * sends along: its whoami answers POST and PUT, and `@ory/client`'s `extendSession` sends PATCH
 * with `Content-Type: application/x-www-form-urlencoded` and no body, which a JSON-only parser
 * would refuse with 415.
 */
export function ignoreBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: IGNORED_BODY_LIMIT },
    (_request, _body, done) => done(null, undefined),
  );
}
