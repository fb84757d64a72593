import { type PipelineRequest, requestCookies, requestHeader } from '../session.js';

/** Oathkeeper's `token_from`: one header, query parameter or cookie; unset means `Authorization: Bearer`. */
export type TokenFrom = { header: string } | { query_parameter: string } | { cookie: string } | undefined;

/** Reads `token_from` from a validated handler config (the schema allows null for "unset"). */
export function tokenFromConfig(raw: unknown): TokenFrom {
  return (raw ?? undefined) as TokenFrom;
}

/**
 * Oathkeeper's token lookup (helper.BearerTokenFromRequest): `Authorization: Bearer <t>` unless
 * `token_from` names a header, query parameter or cookie. Empty when there is none.
 */
export function findToken(request: PipelineRequest, from: TokenFrom): string {
  // `token_from: {header: Authorization}` names the default place, scheme and all: the token is
  // what follows `Bearer `, as in Oathkeeper, not the whole header.
  if (from === undefined || ('header' in from && from.header.toLowerCase() === 'authorization')) {
    return bearerToken(request);
  }
  if ('header' in from) return requestHeader(request, from.header) ?? '';
  if ('query_parameter' in from) return request.url.searchParams.get(from.query_parameter) ?? '';
  return requestCookies(request).get(from.cookie) ?? '';
}

/** The token of `Authorization: Bearer <t>` (scheme in any case), or empty. */
function bearerToken(request: PipelineRequest): string {
  const value = requestHeader(request, 'authorization') ?? '';
  const space = value.indexOf(' ');
  if (space < 0 || value.slice(0, space).toLowerCase() !== 'bearer') return '';
  return value.slice(space + 1);
}
