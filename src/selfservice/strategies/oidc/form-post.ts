import type { FastifyReply, FastifyRequest } from 'fastify';
import { publicRequestUrl } from '../../flow/request-url.js';
import { requireCallbackState } from './callback.js';
import type { OidcDeps } from './deps.js';

/**
 * The largest `form_post` callback body taken. Its fields go back to the browser in a URL, which
 * the follow-up GET must fit into this server's request head (64 KiB, with URL-encoding at most
 * tripling a byte). Apple posts `code`, `state`, `user` and at most an `id_token`: a few KiB.
 */
export const FORM_POST_BODY_LIMIT = 16 * 1024;

/**
 * What an HTML form posts. Other bodies (JSON) add nothing, as Go's `ParseForm` ignores them;
 * multipart, which `ParseForm` ignores too, is taken as every flow here takes it.
 */
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

/**
 * The posted form's fields, one value each: the last of a repeated field, as the `q.Set` loop of
 * Kratos's `redirectToGET` leaves it.
 */
function postedFields(request: FastifyRequest): Map<string, string> {
  const fields = new Map<string, string>();
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const body = request.body;
  if (!FORM_TYPES.has(type) || typeof body !== 'object' || body === null) return fields;
  for (const [name, value] of Object.entries(body)) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (typeof last === 'string') fields.set(name, last);
  }
  return fields;
}

/**
 * `POST /self-service/methods/oidc/callback[/{provider}]`: a `response_mode=form_post` answer
 * (Sign in with Apple). The provider's page posts cross-site, so the browser leaves out the
 * SameSite=Lax continuity and session cookies; as Kratos's `redirectToGET`, the answer is a 302
 * to the same callback on the public base URL with the posted fields in the query, where the
 * browser's top-level GET carries the cookies and `handleCallback` (callback.ts) does the work. Nothing
 * is read or used up here: the state stays valid for that GET. A field the URL already carries
 * keeps the URL's value (Go's `r.Form` lists body values before query values, and the last one
 * wins). One difference, on purpose: a callback without a state is refused here, with the
 * GET's error, rather than after a pointless hop.
 */
export async function redirectCallbackToGet(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const target = new URL(publicRequestUrl(request, deps.login.publicBase));
  for (const [name, value] of postedFields(request)) {
    if (!target.searchParams.has(name)) target.searchParams.set(name, value);
  }
  requireCallbackState(target.searchParams);
  return reply.redirect(target.toString(), 302);
}
