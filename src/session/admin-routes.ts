import type { FastifyInstance } from 'fastify';
import type { Identity } from '../identity/model.js';
import { AppError, badRequest, notFound } from '../kernel/errors.js';
import { goBool } from '../kernel/go-bool.js';
import { ignoreBodies } from '../kernel/ignored-bodies.js';
import type { IdentityStore } from '../persistence/identity-store.js';
import {
  keysetSessionPage,
  type SessionPageParams,
  sendPageHeaders,
  sessionPage,
  sessionPageParamsSchema,
} from './list-pages.js';
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
  /** `feature_flags.faster_session_extend`: extend answers 204 without a body, as Kratos then. */
  fasterExtend?: boolean;
}

const expandSchema = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } as const;

/** `GET /admin/sessions`: keyset pages only, as Kratos's. */
const listQuery = {
  type: 'object',
  properties: {
    page_size: sessionPageParamsSchema.page_size,
    per_page: sessionPageParamsSchema.per_page,
    page_token: sessionPageParamsSchema.page_token,
    active: { type: 'string' },
    expand: expandSchema,
  },
} as const;

/** `GET /admin/identities/{id}/sessions`: keyset or numbered pages (see list-pages.ts). */
const identityListQuery = {
  type: 'object',
  properties: { ...sessionPageParamsSchema, active: { type: 'string' }, expand: expandSchema },
} as const;

const getQuery = { type: 'object', properties: { expand: expandSchema } } as const;

/** Session and identity ids in the path: anything else is Kratos's 400, not a lookup. */
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' } },
  required: ['id'],
} as const;

interface ListQuery extends SessionPageParams {
  active?: string;
  expand?: string | string[];
}

const NOT_FOUND = 'Unable to locate the resource';

/**
 * The lists' `active` filter as Kratos reads it (Go's strconv.ParseBool: `1`, `t`, `TRUE`...),
 * where empty means no filter; any other spelling is its 400.
 */
function activeFilter(raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  const active = goBool(raw);
  if (active === undefined) {
    throw new AppError('bad_request', 400, 'could not parse parameter active', { exposeId: false });
  }
  return active;
}

/** Kratos's session expandables; any other value is a 400, as there. */
const EXPANDABLES: ReadonlySet<string> = new Set(['identity', 'devices']);

/**
 * Whether `expand` asks for the identity. Values are read in any case, as Kratos's
 * ParseExpandable lower-cases them (its own example is `?expand=Identity&expand=Devices`).
 */
function wantsIdentity(expand: string | string[] | undefined): boolean {
  const asked = ([] as string[]).concat(expand ?? []);
  let identity = false;
  for (const option of asked) {
    const known = option.toLowerCase();
    if (!EXPANDABLES.has(known)) throw badRequest(`Could not parse expand option: ${option}`);
    if (known === 'identity') identity = true;
  }
  return identity;
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

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/sessions', { schema: { querystring: listQuery } }, async (request, reply) => {
      const query = request.query as ListQuery;
      const expand = wantsIdentity(query.expand);
      const page = await keysetSessionPage(
        (q) => deps.sessions.list(q),
        { active: activeFilter(query.active) },
        query,
        request.url,
      );
      reply.header('Link', page.link);
      return withIdentities(page.sessions, expand);
    });

    // Kratos's manageSessions: disable or delete in bulk; `{processed, more}` on success.
    app.post('/sessions', { schema: { body: manageSessionsBodySchema } }, async (request) => {
      return deps.sessions.manage(parseManageSessionsBody(request.body as ManageSessionsBody));
    });

    app.get('/sessions/:id', { schema: { params: idParams, querystring: getQuery } }, async (request) => {
      const { id } = request.params as { id: string };
      const expand = wantsIdentity((request.query as ListQuery).expand);
      const session = await deps.sessions.get(id);
      if (!session) throw notFound(NOT_FOUND);
      const [json] = await withIdentities([session], expand);
      return json;
    });

    app.delete('/sessions/:id', { schema: { params: idParams } }, async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await deps.sessions.revoke(id))) throw notFound(NOT_FOUND);
      return reply.code(204).send();
    });

    // Reads no body; its own scope takes any (see ignoreBodies), so the SDK's call is not a 415.
    await app.register(async (scope) => {
      ignoreBodies(scope);
      scope.patch('/sessions/:id/extend', { schema: { params: idParams } }, async (request, reply) => {
        const { id } = request.params as { id: string };
        const session = await deps.sessions.extend(id);
        if (!session) throw notFound(NOT_FOUND);
        if (deps.fasterExtend) return reply.code(204).send();
        const [json] = await withIdentities([session], true);
        return json;
      });
    });

    app.get(
      '/identities/:id/sessions',
      { schema: { params: idParams, querystring: identityListQuery } },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const query = request.query as ListQuery;
        // As Kratos (ExpandEverything): each session carries its identity, and an identity
        // without sessions, or none at all, is an empty page rather than a 404. `expand` is not
        // needed here, but a bad one is refused as on the other lists.
        wantsIdentity(query.expand);
        const page = await sessionPage(
          deps.sessions,
          { identityId: id, active: activeFilter(query.active) },
          query,
          request.url,
        );
        sendPageHeaders(reply, page);
        return withIdentities(page.sessions, true);
      },
    );

    // Kratos deletes the rows ("irrecoverably and permanently"), everywhere at once, and answers
    // 404 when there was nothing to delete. Revoking one session (above) keeps its row.
    app.delete('/identities/:id/sessions', { schema: { params: idParams } }, async (request, reply) => {
      const { id } = request.params as { id: string };
      const { processed } = await deps.sessions.manage({
        action: 'delete',
        scope: { kind: 'identities', identityIds: [id] },
      });
      if (processed === 0) throw notFound(NOT_FOUND);
      return reply.code(204).send();
    });
  };
}
