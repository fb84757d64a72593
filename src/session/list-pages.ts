/**
 * Paging of `GET /sessions` and `GET /admin/identities/{id}/sessions`, which Kratos serves with
 * ory/x's migration pagination: keyset pages (`page_size`, `page_token`) when either is given,
 * else the deprecated numbered pages (`page` from 0, `per_page`). Clients written against the
 * older API walk `page=0,1,2...` until a page comes back short, so `page` must move the window.
 */

import { keysetPageLinks, numberedPageLinks } from '../kernel/page-links.js';
import type { ListSessionsQuery } from '../persistence/session-store.js';
import type { Session } from './model.js';

export const DEFAULT_SESSION_PAGE_SIZE = 250;

/** The query parameters of both styles (JSON schema below). */
export interface SessionPageParams {
  page_size?: number;
  page_token?: string;
  per_page?: number;
  page?: number;
}

export const sessionPageParamsSchema = {
  page_size: { type: 'integer', minimum: 1, maximum: 1000 },
  page_token: { type: 'string' },
  per_page: { type: 'integer', minimum: 1, maximum: 1000 },
  // Bounded so that page × per_page stays an offset every database takes.
  page: { type: 'integer', minimum: 0, maximum: 100_000 },
} as const;

type Filters = Omit<ListSessionsQuery, 'now' | 'pageSize' | 'pageToken' | 'offset'>;
type List = (
  query: Omit<ListSessionsQuery, 'now'>,
) => Promise<{ sessions: Session[]; nextPageToken?: string }>;

/** One page of sessions and the `Link` header that leads on from it, in the style asked for. */
export async function sessionPage(
  list: List,
  filters: Filters,
  params: SessionPageParams,
  requestUrl: string,
): Promise<{ sessions: Session[]; link: string }> {
  const numbered =
    params.page_token === undefined && params.page_size === undefined && params.page !== undefined;
  if (numbered) {
    const perPage = params.per_page ?? DEFAULT_SESSION_PAGE_SIZE;
    const page = params.page ?? 0;
    const found = await list({ ...filters, pageSize: perPage, offset: page * perPage });
    return {
      sessions: found.sessions,
      link: numberedPageLinks(requestUrl, perPage, page, found.nextPageToken !== undefined),
    };
  }
  return keysetSessionPage(list, filters, params, requestUrl);
}

/** A keyset page only (`GET /admin/sessions`, as Kratos's); `per_page` is taken as the size. */
export async function keysetSessionPage(
  list: List,
  filters: Filters,
  params: Omit<SessionPageParams, 'page'>,
  requestUrl: string,
): Promise<{ sessions: Session[]; link: string }> {
  const pageSize = params.page_size ?? params.per_page ?? DEFAULT_SESSION_PAGE_SIZE;
  const found = await list({ ...filters, pageSize, pageToken: params.page_token });
  return { sessions: found.sessions, link: keysetPageLinks(requestUrl, pageSize, found.nextPageToken) };
}
