import type { FastifyInstance } from 'fastify';
import { notFound } from '../kernel/errors.js';
import { pagePaginationLinks } from '../kernel/page-links.js';

export interface SchemaRoutesDeps {
  list(): { id: string; document: unknown }[];
  get(id: string): { id: string; document: unknown } | undefined;
  /** `<serve.public.base_url>schemas`: Kratos's list links point there, whichever listener answers. */
  listUrl: string;
}

/**
 * `page` and `per_page` as ory/x's ParsePagination reads them: not a number is the default
 * (page 0, 250 per page), `per_page` is held between 1 and 1000, a negative page is 0.
 */
function parsePagination(query: { page?: string; per_page?: string }): { page: number; perPage: number } {
  const integer = (raw: string | undefined): number | undefined =>
    raw !== undefined && /^[+-]?\d+$/.test(raw) ? Number.parseInt(raw, 10) : undefined;
  const page = Math.max(0, integer(query.page) ?? 0);
  const perPage = Math.min(1000, Math.max(1, integer(query.per_page) ?? 250));
  return { page, perPage };
}

/** Schema ids appear base64url-encoded in `schema_url`, as Kratos emits them. */
export function encodeSchemaId(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeSchemaId(raw: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  const decoded = Buffer.from(raw, 'base64url').toString('utf8');
  // Only a value that round-trips was really encoded; anything else is a plain id.
  return encodeSchemaId(decoded) === raw ? decoded : undefined;
}

/** Public `GET /schemas` and `GET /schemas/{id}`. */
export function schemaRoutes(deps: SchemaRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    // Numbered pages, as Kratos's getAll: X-Total-Count and ory/x's pagination Link header.
    app.get('/schemas', async (request, reply) => {
      const { page, perPage } = parsePagination(request.query as { page?: string; per_page?: string });
      const all = deps.list();
      reply
        .header('X-Total-Count', String(all.length))
        .header('Link', pagePaginationLinks(deps.listUrl, all.length, page, perPage));
      return all.slice(page * perPage, (page + 1) * perPage).map((s) => ({ id: s.id, schema: s.document }));
    });
    app.get('/schemas/:id', async (request) => {
      const { id } = request.params as { id: string };
      const schema =
        deps.get(id) ?? (decodeSchemaId(id) !== undefined ? deps.get(decodeSchemaId(id) ?? '') : undefined);
      if (!schema) throw notFound(`Identity schema \`${id}\` could not be found.`);
      return schema.document;
    });
  };
}
