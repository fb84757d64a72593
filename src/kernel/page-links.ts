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
