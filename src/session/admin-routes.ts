import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Identity } from '../identity/model.js';
import { notFound } from '../kernel/errors.js';
import type { IdentityStore } from '../persistence/identity-store.js';
import {
  type ManageSessionsBody,
  manageSessionsBodySchema,
  parseManageSessionsBody,
} from './manage-sessions-body.js';
import type { SessionManager } from './manager.js';
import type { Session } from './model.js';

export interface AdminSessionRoutesDeps {
  sessions: SessionManager;
  identities: IdentityStore;
}

const listQuery = {
  type: 'object',
  properties: {
    page_size: { type: 'integer', minimum: 1, maximum: 1000, default: 250 },
    per_page: { type: 'integer', minimum: 1, maximum: 1000 },
    page: { type: 'integer' },
    page_token: { type: 'string' },
    active: { type: 'boolean' },
    expand: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  },
} as const;

interface ListQuery {
  page_size: number;
  per_page?: number;
  page_token?: string;
  active?: boolean;
  expand?: string | string[];
}

const NOT_FOUND = 'Unable to locate the resource';

function wantsIdentity(expand: string | string[] | undefined): boolean {
  return ([] as string[]).concat(expand ?? []).includes('identity');
}

/** The admin session API: list, get, revoke and extend any session; disable or delete in bulk. */
export function adminSessionRoutes(deps: AdminSessionRoutesDeps) {
  async function withIdentities(sessions: Session[], expand: boolean) {
    if (!expand) return sessions.map((s) => deps.sessions.toJson(s));
    const cache = new Map<string, Identity | undefined>();
    const out = [];
    for (const s of sessions) {
      if (!cache.has(s.identity_id)) cache.set(s.identity_id, await deps.identities.get(s.identity_id));
      out.push(deps.sessions.toJson(s, cache.get(s.identity_id)));
    }
    return out;
  }

  function link(request: FastifyRequest, pageSize: number, next: string | undefined): string {
    const base = request.url.split('?')[0];
    const links = [`<${base}?page_size=${pageSize}>; rel="first"`];
    if (next)
      links.push(`<${base}?page_size=${pageSize}&page_token=${encodeURIComponent(next)}>; rel="next"`);
    return links.join(',');
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/sessions', { schema: { querystring: listQuery } }, async (request, reply) => {
      const query = request.query as ListQuery;
      const pageSize = query.per_page ?? query.page_size;
      const page = await deps.sessions.list({ active: query.active, pageSize, pageToken: query.page_token });
      reply.header('Link', link(request, pageSize, page.nextPageToken));
      return withIdentities(page.sessions, wantsIdentity(query.expand));
    });

    // Kratos's manageSessions: disable or delete in bulk; `{processed, more}` on success.
    app.post('/sessions', { schema: { body: manageSessionsBodySchema } }, async (request) => {
      return deps.sessions.manage(parseManageSessionsBody(request.body as ManageSessionsBody));
    });

    app.get('/sessions/:id', { schema: { querystring: listQuery } }, async (request) => {
      const { id } = request.params as { id: string };
      const session = await deps.sessions.get(id);
      if (!session) throw notFound(NOT_FOUND);
      const [json] = await withIdentities([session], wantsIdentity((request.query as ListQuery).expand));
      return json;
    });

    app.delete('/sessions/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await deps.sessions.revoke(id))) throw notFound(NOT_FOUND);
      return reply.code(204).send();
    });

    app.patch('/sessions/:id/extend', async (request) => {
      const { id } = request.params as { id: string };
      const session = await deps.sessions.extend(id);
      if (!session) throw notFound(NOT_FOUND);
      const [json] = await withIdentities([session], true);
      return json;
    });

    app.get('/identities/:id/sessions', { schema: { querystring: listQuery } }, async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await deps.identities.get(id))) throw notFound(NOT_FOUND);
      const query = request.query as ListQuery;
      const pageSize = query.per_page ?? query.page_size;
      const page = await deps.sessions.list({
        identityId: id,
        active: query.active,
        pageSize,
        pageToken: query.page_token,
      });
      reply.header('Link', link(request, pageSize, page.nextPageToken));
      return withIdentities(page.sessions, wantsIdentity(query.expand));
    });

    app.delete('/identities/:id/sessions', async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await deps.identities.get(id))) throw notFound(NOT_FOUND);
      await deps.sessions.revokeIdentitySessions(id);
      return reply.code(204).send();
    });
  };
}
