/**
 * Paging of the session lists, as Kratos reads and writes it.
 *
 * `GET /sessions` and `GET /admin/identities/{id}/sessions` are Kratos's x.ParsePagination (ory/x
 * migrationpagination): numbered pages (`page` from 0, `per_page`), or, when `page_size` or
 * `page_token` is given, the same pages named by an offset token (tokenpagination). Nothing in
 * them is ever a 400: a value that is not a number takes the default, sizes are held to 1-1000,
 * a negative page is page 0, and a token that does not decode is the first page. Every answer
 * says `X-Total-Count` and links `first`, `next`, `prev` and `last` in both styles.
 *
 * `GET /admin/sessions` is keyset paged (ory/x keysetpagination): `page_size` 0 or less is the
 * default, above 1000 is 1000, and only a size that is not a number is a 400.
 */

import type { FastifyReply } from 'fastify';
import { AppError } from '../kernel/errors.js';
import { goInt } from '../kernel/go-int.js';
import { keysetPageLinks, migrationPaginationLinks } from '../kernel/page-links.js';
import { NEWEST_FIRST_START_TOKEN, parseBase64UrlJson } from '../persistence/page-token.js';
import type { ListSessionsQuery } from '../persistence/session-store.js';
import type { Session } from './model.js';

export const DEFAULT_SESSION_PAGE_SIZE = 250;
const MAX_SESSION_PAGE_SIZE = 1000;
/** Past this offset no database is asked (no list is that long); the page is empty. */
const MAX_OFFSET = 2 ** 31 - 1;

/** The query parameters of both styles, as text: they are read as Go reads them, below. */
export interface SessionPageParams {
  page_size?: string;
  page_token?: string;
  per_page?: string;
  page?: string;
}

export const sessionPageParamsSchema = {
  page_size: { type: 'string' },
  page_token: { type: 'string' },
  per_page: { type: 'string' },
  page: { type: 'string' },
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

const clampSize = (size: number) => Math.min(Math.max(size, 1), MAX_SESSION_PAGE_SIZE);

/** tokenpagination's decode: the `offset` of base64url JSON; 0 for anything else, as Kratos. */
function tokenOffset(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const parsed = parseBase64UrlJson(token);
  const offset = typeof parsed === 'object' && parsed !== null ? (parsed as { offset?: unknown }).offset : 0;
  // gjson's Int() reads the string `"250"` and the number 250 alike.
  const n = typeof offset === 'number' ? Math.trunc(offset) : goInt(String(offset ?? ''));
  return n === undefined || !Number.isFinite(n) ? 0 : n;
}

/**
 * Kratos's x.ParsePagination (migrationpagination.Paginator.ParsePagination): the page and its
 * size, never a 400.
 */
export function parseSessionPaging(params: SessionPageParams): { page: number; perPage: number } {
  if (params.page_token !== undefined || params.page_size !== undefined) {
    const perPage = clampSize(goInt(params.page_size) ?? DEFAULT_SESSION_PAGE_SIZE);
    const offset = tokenOffset(params.page_token);
    return { page: offset > 0 ? Math.floor(offset / perPage) : 0, perPage };
  }
  const perPage = clampSize(goInt(params.per_page) ?? DEFAULT_SESSION_PAGE_SIZE);
  return { page: Math.max(goInt(params.page) ?? 0, 0), perPage };
}

/**
 * One numbered page of sessions, how many the filters match in all (`X-Total-Count`) and the
 * `Link` header that leads on from it, as Kratos's listMySessions and listIdentitySessions.
 */
export async function sessionPage(
  source: SessionSource,
  filters: Filters,
  params: SessionPageParams,
  requestUrl: string,
): Promise<{ sessions: Session[]; link: string; total: number }> {
  const { page, perPage } = parseSessionPaging(params);
  const offset = page * perPage;
  const [found, total] = await Promise.all([
    offset > MAX_OFFSET ? { sessions: [] } : source.list({ ...filters, pageSize: perPage, offset }),
    source.count(filters),
  ]);
  return {
    sessions: found.sessions,
    link: migrationPaginationLinks(requestUrl, total, page, perPage),
    total,
  };
}

/** Kratos's 400 when keysetpagination.Parse fails (adminListSessions). */
const unparsableSize = () =>
  new AppError('bad_request', 400, 'could not parse parameter page_size', { exposeId: false });

/**
 * The size of a keyset page: `page_size` (`per_page` standing in when it is absent, an addition:
 * Kratos ignores it), 250 when 0 or less, 1000 at most; a `page_size` that is not a number is
 * Kratos's 400.
 */
function keysetSize(params: Omit<SessionPageParams, 'page'>): number {
  let asked: number | undefined;
  if (params.page_size !== undefined) {
    asked = goInt(params.page_size);
    if (asked === undefined) throw unparsableSize();
  } else {
    asked = goInt(params.per_page);
  }
  if (asked === undefined || asked <= 0) return DEFAULT_SESSION_PAGE_SIZE;
  return Math.min(asked, MAX_SESSION_PAGE_SIZE);
}

/** A keyset page only (`GET /admin/sessions`, as Kratos's). */
export async function keysetSessionPage(
  list: List,
  filters: Filters,
  params: Omit<SessionPageParams, 'page'>,
  requestUrl: string,
): Promise<{ sessions: Session[]; link: string }> {
  const pageSize = keysetSize(params);
  const found = await list({ ...filters, pageSize, pageToken: params.page_token });
  return {
    sessions: found.sessions,
    link: keysetPageLinks(requestUrl, pageSize, found.nextPageToken, NEWEST_FIRST_START_TOKEN),
  };
}

/** The page's `Link` header, and `X-Total-Count` when the page knows it. */
export function sendPageHeaders(reply: FastifyReply, page: { link: string; total?: number }): void {
  reply.header('Link', page.link);
  if (page.total !== undefined) reply.header('X-Total-Count', String(page.total));
}
