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
  if (from === undefined) {
    const value = requestHeader(request, 'authorization') ?? '';
    const space = value.indexOf(' ');
    if (space < 0 || value.slice(0, space).toLowerCase() !== 'bearer') return '';
    return value.slice(space + 1);
  }
  if ('header' in from) return requestHeader(request, from.header) ?? '';
  if ('query_parameter' in from) return request.url.searchParams.get(from.query_parameter) ?? '';
  return requestCookies(request).get(from.cookie) ?? '';
}
