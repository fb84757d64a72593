/**
 * `Link` headers of paginated lists, as ory/x writes them: the request's own path and query
 * with only the pagination parameters replaced, so every filter (`active`, `expand`, `ids`,
 * `status`, ...) carries over to the next page. Links are relative, as Kratos's are.
 */

import { FIRST_PAGE_TOKEN } from '../persistence/page-token.js';

/** Parameters of both pagination styles; each link sets its own. */
const PAGINATION_PARAMS = ['page_size', 'page_token', 'per_page', 'page'] as const;

function splitUrl(requestUrl: string): { path: string; search: URLSearchParams } {
  const query = requestUrl.indexOf('?');
  return {
    path: query === -1 ? requestUrl : requestUrl.slice(0, query),
    search: new URLSearchParams(query === -1 ? '' : requestUrl.slice(query + 1)),
  };
}

function linkTo(requestUrl: string, rel: string, params: Readonly<Record<string, string>>): string {
  const { path, search } = splitUrl(requestUrl);
  for (const name of PAGINATION_PARAMS) search.delete(name);
  for (const [name, value] of Object.entries(params)) search.set(name, value);
  return `<${path}?${search.toString()}>; rel="${rel}"`;
}

/**
 * Keyset pages (`page_size`, `page_token`), as ory/x keysetpagination.Header: `first`, with the
 * list's default token (Kratos's: the nil UUID for lists ordered by id), and `next` while there
 * is one.
 */
export function keysetPageLinks(
  requestUrl: string,
  pageSize: number,
  nextPageToken: string | undefined,
  firstPageToken: string = FIRST_PAGE_TOKEN,
): string {
  const size = String(pageSize);
  const links = [linkTo(requestUrl, 'first', { page_size: size, page_token: firstPageToken })];
  if (nextPageToken !== undefined)
    links.push(linkTo(requestUrl, 'next', { page_size: size, page_token: nextPageToken }));
  return links.join(',');
}

/** Writes one link of a numbered page: its relation, its page size and the offset it starts at. */
type OffsetLink = (rel: string, limit: number, offset: number) => string;

/**
 * ory/x's pagination.HeaderWithFormatter, quirks and all: the first page has no `first` or
 * `prev`; from the last page on there is no `next` or `last`, and `prev` is the page before the
 * last; when everything fits on one page, only `first`, with the page size set to the total; with
 * nothing at all, `first`, `next` and `prev` (to the page before 0).
 */
function offsetPageLinks(total: number, page: number, perPage: number, link: OffsetLink): string {
  const size = perPage <= 0 ? 1 : perPage;
  const offset = page * size;
  const lastOffset = total % size === 0 ? total - size : Math.floor(total / size) * size;
  // Go's integer division truncates toward zero: page -1 is offset -size.
  const at = (n: number) => Math.trunc(offset / size + n) * size;
  if (offset >= lastOffset) {
    if (total === 0) {
      return [link('first', size, 0), link('next', size, at(1)), link('prev', size, at(-1))].join(',');
    }
    if (total <= size) return link('first', total, 0);
    return [link('first', size, 0), link('prev', size, lastOffset - size)].join(',');
  }
  if (offset < size) return [link('next', size, size), link('last', size, lastOffset)].join(',');
  return [
    link('first', size, 0),
    link('next', size, at(1)),
    link('prev', size, at(-1)),
    link('last', size, lastOffset),
  ].join(',');
}

/** Go's url.Values.Encode: the parameters sorted by name (stable, so repeated ones keep their order). */
function goLink(path: string, search: URLSearchParams, rel: string): string {
  search.sort();
  return `<${path}?${search.toString()}>; rel="${rel}"`;
}

/**
 * The `Link` header of a numbered page, as ory/x's pagepagination.PaginationHeader writes it for
 * Kratos's identity list: `per_page` and `page` set on the request's own query.
 */
export function pagePaginationLinks(
  requestUrl: string,
  total: number,
  page: number,
  perPage: number,
): string {
  return offsetPageLinks(total, page, perPage, (rel, limit, offset) => {
    const { path, search } = splitUrl(requestUrl);
    search.set('per_page', String(limit));
    search.set('page', String(Math.trunc(offset / limit)));
    return goLink(path, search, rel);
  });
}

/**
 * ory/x tokenpagination.Encode: the token of the page starting at `offset`, base64url (unpadded)
 * of `{"offset":"<n>","v":2}`.
 */
export function offsetPageToken(offset: number): string {
  return Buffer.from(`{"offset":"${offset}","v":2}`).toString('base64url');
}

/**
 * The `Link` header of Kratos's session lists by identity (`GET /sessions`,
 * `GET /admin/identities/{id}/sessions`), as ory/x's migrationpagination.PaginationHeader writes
 * it: each link sets both styles, `page_size` and `page_token` (an offset token) and `per_page`
 * and `page`, so a client following either reaches the same page.
 */
export function migrationPaginationLinks(
  requestUrl: string,
  total: number,
  page: number,
  perPage: number,
): string {
  return offsetPageLinks(total, page, perPage, (rel, limit, offset) => {
    const { path, search } = splitUrl(requestUrl);
    search.set('page_size', String(limit));
    search.set('page_token', offsetPageToken(offset));
    search.set('per_page', String(limit));
    search.set('page', String(Math.trunc(offset / limit)));
    return goLink(path, search, rel);
  });
}
