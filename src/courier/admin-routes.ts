import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../kernel/errors.js';
import { keysetPageLinks } from '../kernel/page-links.js';
import { UUID } from '../persistence/uuid.js';
import type { Courier } from './courier.js';
import { MESSAGE_STATUSES, type MessageStatus } from './model.js';
import { serializeMessage } from './serialize.js';

export interface AdminCourierRoutesDeps {
  courier: Pick<Courier, 'listMessages' | 'getMessage'>;
  /** Bodies carry codes and links: as Kratos, the admin API shows them only with `--dev`. */
  redactBodies: boolean;
}

/** Kratos's ListMessages: keysetpagination.WithDefaultSize(10). */
const DEFAULT_PAGE_SIZE = 10;
/**
 * Kratos sets no maximum (a huge `page_size` makes it allocate a slice that size); Portcullis
 * caps a page at this many messages, a deliberate difference, so one request cannot make the
 * server load the whole outbox. A larger size is served as this one (the Link header says so).
 */
const MAX_PAGE_SIZE = 1000;

const listQuery = {
  type: 'object',
  properties: {
    page_size: { type: 'string', pattern: '^[0-9]+$' },
    per_page: { type: 'string', pattern: '^[0-9]+$' },
    page_token: { type: 'string' },
    status: { type: 'string', enum: [...MESSAGE_STATUSES] },
    recipient: { type: 'string' },
  },
} as const;

interface ListQuery {
  page_size?: string;
  per_page?: string;
  page_token?: string;
  status?: MessageStatus;
  recipient?: string;
}

/**
 * The page size as ory/x's keysetpagination reads it: `page_size` (or `per_page`), digits only
 * (the schema answers 400 to anything else, as Kratos's strconv.Atoi error does); absent or 0
 * means the default (Paginator.Size); above MAX_PAGE_SIZE, that.
 */
function pageSize(raw: string | undefined): number {
  const size = raw === undefined ? 0 : Number(raw);
  if (size === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(size, MAX_PAGE_SIZE);
}

/**
 * `GET /courier/messages` and `GET /courier/messages/{id}`, as in Kratos's admin API.
 * Registered under both `/admin` and the root, as the other admin routes are.
 */
export function adminCourierRoutes(deps: AdminCourierRoutesDeps) {
  const view = { redactBody: deps.redactBodies };

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/courier/messages', { schema: { querystring: listQuery } }, async (request, reply) => {
      const query = request.query as ListQuery;
      const size = pageSize(query.page_size ?? query.per_page);
      const filters = {
        status: query.status,
        recipient: query.recipient === '' ? undefined : query.recipient,
      };
      const page = await deps.courier.listMessages({
        ...filters,
        pageSize: size,
        pageToken: query.page_token,
      });
      // Links keep the filters, so following `next` stays within the same selection.
      reply.header('Link', keysetPageLinks(request.url, size, page.nextPageToken));
      return page.messages.map((m) => serializeMessage(m, view));
    });

    app.get('/courier/messages/:id', async (request) => {
      const { id } = request.params as { id: string };
      if (!UUID.test(id)) throw badRequest(`could not parse parameter {id} as UUID, got ${id.slice(0, 64)}`);
      const message = await deps.courier.getMessage(id);
      if (message === undefined) throw notFound('Unable to locate the resource');
      return serializeMessage(message, view);
    });
  };
}
