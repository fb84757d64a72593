import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SecretCipher } from '../kernel/cipher.js';
import { badRequest, type ErrorBody, internalError, isAppError, notFound } from '../kernel/errors.js';
import { keysetPageLinks, pagePaginationLinks } from '../kernel/page-links.js';
import type { IdentityStore } from '../persistence/identity-store.js';
import { sendPageHeaders } from '../session/list-pages.js';
import {
  batchPatchBodySchema,
  type CreateIdentityJson,
  createBodyFromJson,
  createIdentityBodySchema,
  jsonPatchBodySchema,
  MAX_BATCH_WITH_PLAINTEXT,
  type ReplaceIdentityJson,
  replaceBodyFromJson,
  updateIdentityBodySchema,
} from './bodies.js';
import { declassifier } from './declassify.js';
import { includedCredentials, type ListQuery, parseListParams } from './list-query.js';
import type { IdentityManager, JsonPatchOperation } from './manager.js';
import type { Credential, Identity, JsonObject } from './model.js';
import { serializeIdentity } from './serialize.js';

export interface AdminIdentityRoutesDeps {
  identities: IdentityManager;
  schemaUrl(schemaId: string): string;
  /** The lookup behind `GET /admin/identities/by/external/{externalID}`. */
  externalIds: Pick<IdentityStore, 'findByExternalId'>;
  /** Opens the provider tokens sealed in oidc credentials, for `include_credential=oidc`. */
  cipher: SecretCipher;
  /**
   * `serve.admin.base_url`: a created identity's `Location` is `<base>/identities/<id>`, absolute,
   * as Kratos writes it (urlx.AppendPaths(SelfAdminURL, "identities", id)). Without it, the
   * request's own path.
   */
  adminBaseUrl?: URL;
}

const NOT_FOUND_REASON = 'Unable to locate the resource';

const externalIdParams = {
  type: 'object',
  required: ['externalID'],
  properties: { externalID: { type: 'string', minLength: 1 } },
} as const;

/** A parameter that may be repeated: every value is kept (see keepQueryLists). */
const repeatable = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } as const;

/** `include_credential` (see declassifier). */
const includeCredentialQuery = {
  type: 'object',
  properties: { include_credential: repeatable },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } },
} as const;

/**
 * Every parameter as text, read and answered as Kratos's parseListIdentitiesParameters does (a
 * page size that is no number is its 400, not a schema error); `ids` and `include_credential` by
 * every value, the others by their first, as Go's `url.Values.Get`.
 */
const listQuery = {
  type: 'object',
  properties: {
    page_size: { type: 'string' },
    page_token: { type: 'string' },
    per_page: { type: 'string' },
    page: { type: 'string' },
    ids: repeatable,
    credentials_identifier: { type: 'string' },
    preview_credentials_identifier_similar: { type: 'string' },
    organization_id: { type: 'string' },
    include_credential: repeatable,
    consistency: { type: 'string' },
  },
} as const;

/**
 * A batch item that lost to a unique constraint, as Kratos reports it (its persister's
 * `sqlcon.ErrUniqueViolation()`).
 */
const UNIQUE_VIOLATION: ErrorBody['error'] = {
  code: 409,
  status: 'Conflict',
  message: 'Unable to insert or update resource because a resource with that value exists already',
};

interface BatchResult {
  action: 'create' | 'error';
  identity?: string;
  patch_id?: string;
  error?: ErrorBody['error'];
}

/**
 * `/admin/identities` routes as in Kratos's admin API. Registered under both `/admin` and
 * the root, as Kratos serves them.
 */
export function adminIdentityRoutes(deps: AdminIdentityRoutesDeps) {
  const view = (
    identity: Identity,
    credentialConfig?: (credential: Credential) => JsonObject | undefined,
    omitCredentials = false,
  ) =>
    serializeIdentity(identity, {
      admin: true,
      schemaUrl: deps.schemaUrl(identity.schema_id),
      credentialConfig,
      omitCredentials,
    });
  /** `include_credential` of a single-identity read, checked once the identity is found, as Kratos does. */
  const declassified = (identity: Identity, request: FastifyRequest) =>
    view(identity, declassifier(includedCredentials(request.query), deps.cipher, request));

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/identities', { schema: { querystring: listQuery } }, async (request, reply) => {
      const { include, paging, ...filters } = parseListParams(request.query as ListQuery);
      const credentialConfig = declassifier(include, deps.cipher, request);
      // As Kratos: a plain list (or one by ids or organization) carries no credentials at all.
      const omitCredentials = filters.credentialsIdentifier === undefined && include.length === 0;
      const listed = (identity: Identity) => view(identity, credentialConfig, omitCredentials);
      if (paging.kind === 'numbered') {
        // As Kratos: the total counts every identity, unless an exact identifier lookup asked, when
        // it is what this page holds.
        const exactLookup = filters.credentialsIdentifier?.match === 'equal';
        const page = await deps.identities.list({
          ...filters,
          pageSize: paging.perPage,
          offset: paging.page * paging.perPage,
          countAll: !exactLookup,
        });
        const total = page.total ?? page.identities.length;
        sendPageHeaders(reply, {
          link: pagePaginationLinks(request.url, total, paging.page, paging.perPage),
          total,
        });
        return page.identities.map(listed);
      }
      const page = await deps.identities.list({
        ...filters,
        pageSize: paging.pageSize,
        pageToken: paging.pageToken,
      });
      sendPageHeaders(reply, { link: keysetPageLinks(request.url, paging.pageSize, page.nextPageToken) });
      return page.identities.map(listed);
    });

    app.post('/identities', { schema: { body: createIdentityBodySchema } }, async (request, reply) => {
      const identity = await deps.identities.create(createBodyFromJson(request.body as CreateIdentityJson));
      const location =
        deps.adminBaseUrl === undefined
          ? `${request.url.split('?')[0]}/${identity.id}`
          : appendPaths(deps.adminBaseUrl, 'identities', identity.id);
      return reply.code(201).header('Location', location).send(view(identity));
    });

    app.patch('/identities', { schema: { body: batchPatchBodySchema } }, async (request, reply) => {
      const { identities } = request.body as {
        identities: { create?: CreateIdentityJson; patch_id?: string }[];
      };
      // As Kratos (identity/handler.go batchPatchIdentities, withUnHashedPasswordCount): at most 200
      // items with a plain-text password to hash, however many hashed ones come with them (the
      // spec's "up to 200 identities per request" if any has one is Ory Network's wording).
      const plaintext = identities.filter((p) => {
        const password = p.create?.credentials?.password?.config?.password;
        return password !== undefined && password !== '';
      });
      if (plaintext.length > MAX_BATCH_WITH_PLAINTEXT) {
        throw badRequest(
          `The maximum number of identities per request that can be created with a plaintext password is ${MAX_BATCH_WITH_PLAINTEXT}.`,
        );
      }
      const results: BatchResult[] = [];
      for (const patch of identities) {
        const patchId = patch.patch_id === undefined ? {} : { patch_id: patch.patch_id };
        if (!patch.create) {
          results.push({
            action: 'error',
            error: badRequest('Each patch needs a create body.').toJSON().error,
            ...patchId,
          });
          continue;
        }
        try {
          const identity = await deps.identities.create(createBodyFromJson(patch.create));
          results.push({ action: 'create', identity: identity.id, ...patchId });
        } catch (error) {
          const appError = isAppError(error) ? error : internalError(undefined, error);
          if (!isAppError(error)) request.log.error({ err: error }, 'batch identity create failed');
          const body = appError.code === 409 ? UNIQUE_VIOLATION : appError.toJSON().error;
          results.push({ action: 'error', error: body, ...patchId });
        }
      }
      // As Kratos OSS (identity/handler.go batchPatchIdentities): 200 with every item's result,
      // even when every item failed (a re-run import). The spec's "all failed: 400/409" is Ory
      // Network's; @ory/client's batchPatchIdentities resolves here either way.
      return reply.code(200).send({ identities: results });
    });

    app.get(
      '/identities/:id',
      { schema: { params: idParams, querystring: includeCredentialQuery } },
      async (request) =>
        declassified(await deps.identities.get((request.params as { id: string }).id), request),
    );

    app.put(
      '/identities/:id',
      { schema: { params: idParams, body: updateIdentityBodySchema } },
      async (request) => {
        const { id } = request.params as { id: string };
        return view(
          await deps.identities.replace(id, replaceBodyFromJson(request.body as ReplaceIdentityJson)),
        );
      },
    );

    app.patch(
      '/identities/:id',
      { schema: { params: idParams, body: jsonPatchBodySchema } },
      async (request) => {
        const { id } = request.params as { id: string };
        return view(await deps.identities.patch(id, request.body as JsonPatchOperation[]));
      },
    );

    app.delete(
      '/identities/:id',
      { schema: { params: idParams } },
      async (request: FastifyRequest, reply: FastifyReply) => {
        await deps.identities.delete((request.params as { id: string }).id);
        return reply.code(204).send();
      },
    );

    app.delete(
      '/identities/:id/credentials/:type',
      {
        schema: {
          params: {
            type: 'object',
            required: ['id', 'type'],
            properties: { id: { type: 'string' }, type: { type: 'string' } },
          },
          querystring: { type: 'object', properties: { identifier: { type: 'string' } } },
        },
      },
      async (request, reply) => {
        const { id, type } = request.params as { id: string; type: string };
        const { identifier } = request.query as { identifier?: string };
        // Kratos's order: the identity (404), its `type` credential (404, any type), then the
        // type's rules (see credential-removal.ts).
        await deps.identities.deleteCredential(id, type, identifier);
        return reply.code(204).send();
      },
    );

    app.get(
      '/identities/by/external/:externalID',
      { schema: { params: externalIdParams, querystring: includeCredentialQuery } },
      async (request) => {
        const { externalID } = request.params as { externalID: string };
        const identity = await deps.externalIds.findByExternalId(externalID);
        if (!identity) throw notFound(NOT_FOUND_REASON);
        return declassified(identity, request);
      },
    );
  };
}

/** `base` with `segments` appended to its path, as ory/x's urlx.AppendPaths (one `/` between each). */
function appendPaths(base: URL, ...segments: string[]): string {
  const url = new URL(base.href);
  url.pathname = [url.pathname.replace(/\/+$/, ''), ...segments.map(encodeURIComponent)].join('/');
  return url.href;
}
