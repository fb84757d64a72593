/**
 * `Link` headers of paginated lists, as ory/x writes them: the request's own path and query
 * with only the pagination parameters replaced, so every filter (`active`, `expand`, `ids`,
 * `status`, ...) carries over to the next page. Links are relative, as Kratos's are.
 */

/** Parameters of both pagination styles; each link sets its own. */
const PAGINATION_PARAMS = ['page_size', 'page_token', 'per_page', 'page'] as const;

function linkTo(requestUrl: string, rel: string, params: Readonly<Record<string, string>>): string {
  const query = requestUrl.indexOf('?');
  const path = query === -1 ? requestUrl : requestUrl.slice(0, query);
  const search = new URLSearchParams(query === -1 ? '' : requestUrl.slice(query + 1));
  for (const name of PAGINATION_PARAMS) search.delete(name);
  for (const [name, value] of Object.entries(params)) search.set(name, value);
  return `<${path}?${search.toString()}>; rel="${rel}"`;
}

/** Keyset pages (`page_size`, `page_token`): `first`, and `next` while there is one. */
export function keysetPageLinks(
  requestUrl: string,
  pageSize: number,
  nextPageToken: string | undefined,
): string {
  const size = String(pageSize);
  const links = [linkTo(requestUrl, 'first', { page_size: size })];
  if (nextPageToken !== undefined)
    links.push(linkTo(requestUrl, 'next', { page_size: size, page_token: nextPageToken }));
  return links.join(',');
}

/** Numbered pages (the deprecated `page`, `per_page`): `first`, `prev` and `next` where they exist. */
export function numberedPageLinks(
  requestUrl: string,
  perPage: number,
  page: number,
  hasNext: boolean,
): string {
  const at = (n: number) => ({ per_page: String(perPage), page: String(n) });
  const links = [linkTo(requestUrl, 'first', at(0))];
  if (page > 0) links.push(linkTo(requestUrl, 'prev', at(page - 1)));
  if (hasNext) links.push(linkTo(requestUrl, 'next', at(page + 1)));
  return links.join(',');
}

/**
 * The `Link` header of a numbered page, as ory/x's pagepagination.PaginationHeader writes it for
 * Kratos's identity list (`per_page` and `page` set on the request's own query; the session
 * lists' numberedPageLinks above is simpler, not ory/x's), quirks and all:
 * the first page has no `first` or `prev`; from the last page on there is no `next` or `last`,
 * and `prev` is the page before the last; when every identity fits on one page, only `first`, with
 * `per_page` set to their number; with none at all, `first`, `next` and `prev` (to page -1).
 */
export function pagePaginationLinks(
  requestUrl: string,
  total: number,
  page: number,
  perPage: number,
): string {
  const question = requestUrl.indexOf('?');
  const path = question === -1 ? requestUrl : requestUrl.slice(0, question);
  const link = (rel: string, limit: number, offset: number) => {
    const search = new URLSearchParams(question === -1 ? '' : requestUrl.slice(question + 1));
    search.set('per_page', String(limit));
    search.set('page', String(Math.trunc(offset / limit)));
    search.sort(); // Go's url.Values.Encode sorts by name
    return `<${path}?${search.toString()}>; rel="${rel}"`;
  };
  const offset = page * perPage;
  const lastOffset = total % perPage === 0 ? total - perPage : Math.floor(total / perPage) * perPage;
  const first = link('first', perPage, 0);
  const next = link('next', perPage, (page + 1) * perPage);
  const prev = link('prev', perPage, (page - 1) * perPage);
  const last = link('last', perPage, lastOffset);
  if (offset >= lastOffset) {
    if (total === 0) return [first, next, prev].join(',');
    if (total <= perPage) return link('first', total, 0);
    return [first, link('prev', perPage, lastOffset - perPage)].join(',');
  }
  if (offset < perPage) return [next, last].join(',');
  return [first, next, prev, last].join(',');
}
