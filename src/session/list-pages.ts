/**
 * Paging of `GET /sessions` and `GET /admin/identities/{id}/sessions`, which Kratos serves as
 * numbered pages (`x.ParsePagination`: `page` from 0, `per_page`; every answer says
 * `X-Total-Count`). The spec also lists the keyset parameters (ory/x's migration pagination), so
 * `page_size` or `page_token` asks for keyset pages instead. Clients written against the older
 * API walk `page=0,1,2...` until a page comes back short, so `page` must move the window.
 */

import type { FastifyReply } from 'fastify';
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

/** Where pages come from: the session list, and the count of what its filters match. */
export interface SessionSource {
  list: List;
  count(filters: Filters): Promise<number>;
}

/**
 * One page of sessions and the `Link` header that leads on from it, in the style asked for:
 * numbered (the default, as Kratos's), which also says how many sessions there are (`total`,
 * Kratos's `X-Total-Count`), or keyset.
 */
export async function sessionPage(
  source: SessionSource,
  filters: Filters,
  params: SessionPageParams,
  requestUrl: string,
): Promise<{ sessions: Session[]; link: string; total?: number }> {
  const numbered = params.page_token === undefined && params.page_size === undefined;
  if (numbered) {
    const perPage = params.per_page ?? DEFAULT_SESSION_PAGE_SIZE;
    const page = params.page ?? 0;
    const [found, total] = await Promise.all([
      source.list({ ...filters, pageSize: perPage, offset: page * perPage }),
      source.count(filters),
    ]);
    return {
      sessions: found.sessions,
      link: numberedPageLinks(requestUrl, perPage, page, found.nextPageToken !== undefined),
      total,
    };
  }
  return keysetSessionPage(source.list, filters, params, requestUrl);
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

/** The page's `Link` header, and `X-Total-Count` when the page is a numbered one. */
export function sendPageHeaders(reply: FastifyReply, page: { link: string; total?: number }): void {
  reply.header('Link', page.link);
  if (page.total !== undefined) reply.header('X-Total-Count', String(page.total));
}
