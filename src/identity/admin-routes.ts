import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SecretCipher } from '../kernel/cipher.js';
import {
  AppError,
  badRequest,
  conflict,
  type ErrorBody,
  internalError,
  isAppError,
  notFound,
} from '../kernel/errors.js';
import { keysetPageLinks, pagePaginationLinks } from '../kernel/page-links.js';
import type { IdentityStore } from '../persistence/identity-store.js';
import { sendPageHeaders } from '../session/list-pages.js';
import {
  batchPatchBodySchema,
  type CreateIdentityBody,
  createIdentityBodySchema,
  jsonPatchBodySchema,
  MAX_BATCH_WITH_PLAINTEXT,
  type UpdateIdentityBody,
  updateIdentityBodySchema,
} from './bodies.js';
import { declassifier } from './declassify.js';
import { includedCredentials, type ListQuery, parseListParams } from './list-query.js';
import type { IdentityManager, JsonPatchOperation } from './manager.js';
import {
  CREDENTIAL_TYPES,
  type Credential,
  type CredentialType,
  type Identity,
  type JsonObject,
} from './model.js';
import { serializeIdentity } from './serialize.js';

export interface AdminIdentityRoutesDeps {
  identities: IdentityManager;
  schemaUrl(schemaId: string): string;
  /** The lookup behind `GET /admin/identities/by/external/{externalID}`. */
  externalIds: Pick<IdentityStore, 'findByExternalId'>;
  /** Opens the provider tokens sealed in oidc credentials, for `include_credential=oidc`. */
  cipher: SecretCipher;
}

const NOT_FOUND_REASON = 'Unable to locate the resource';

/**
 * The credential types of the spec's `deleteIdentityCredentials` path enum that no identity
 * holds here (no strategy stores them): deleting one is a 404, not a malformed request.
 */
const NEVER_STORED_TYPES: readonly string[] = [
  'deviceauthn',
  'identifier_first',
  'link_recovery',
  'code_recovery',
];

/** Types whose credential holds several links: the spec requires `identifier` to pick one. */
const TYPES_NEEDING_IDENTIFIER: readonly string[] = ['oidc', 'saml', 'deviceauthn'];

/** What a credential deletion names, once its type and `identifier` are checked against the spec. */
function credentialToDelete(
  type: string,
  identifier: string | undefined,
): { kind: 'stored'; type: CredentialType } | { kind: 'never_stored' } {
  const known = (CREDENTIAL_TYPES as readonly string[]).includes(type);
  if (!known && !NEVER_STORED_TYPES.includes(type)) {
    throw new AppError('bad_request', 400, 'The request was malformed or contained invalid parameters', {
      reason: `Unknown credential type "${type}".`,
      exposeId: false,
    });
  }
  if (TYPES_NEEDING_IDENTIFIER.includes(type) && !identifier) {
    throw badRequest(`The identifier query parameter is required to delete ${type} credentials.`);
  }
  return known ? { kind: 'stored', type: type as CredentialType } : { kind: 'never_stored' };
}

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
      const identity = await deps.identities.create(request.body as CreateIdentityBody);
      return reply
        .code(201)
        .header('Location', `${request.url.split('?')[0]}/${identity.id}`)
        .send(view(identity));
    });

    app.patch('/identities', { schema: { body: batchPatchBodySchema } }, async (request, reply) => {
      const { identities } = request.body as {
        identities: { create?: CreateIdentityBody; patch_id?: string }[];
      };
      const plaintext = identities.filter(
        (p) => p.create?.credentials?.password?.config?.password !== undefined,
      );
      if (plaintext.length > MAX_BATCH_WITH_PLAINTEXT) {
        throw badRequest(
          `A batch with plain-text passwords may hold at most ${MAX_BATCH_WITH_PLAINTEXT} identities; pre-hash them or send smaller batches.`,
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
          const identity = await deps.identities.create(patch.create);
          results.push({ action: 'create', identity: identity.id, ...patchId });
        } catch (error) {
          const appError = isAppError(error) ? error : internalError(undefined, error);
          if (!isAppError(error)) request.log.error({ err: error }, 'batch identity create failed');
          results.push({ action: 'error', error: appError.toJSON().error, ...patchId });
        }
      }
      if (identities.length > 0 && results.every((r) => r.action === 'error')) {
        const allConflicts = results.every((r) => r.error?.code === 409);
        const error = allConflicts
          ? conflict('Every identity in the batch conflicts with an existing one.')
          : badRequest('No identity in the batch could be created.');
        return reply.code(error.code).send({ ...error.toJSON(), identities: results });
      }
      return { identities: results };
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
        return view(await deps.identities.replace(id, request.body as UpdateIdentityBody));
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
        const target = credentialToDelete(type, identifier);
        if (target.kind === 'never_stored') {
          // A type of the spec no identity holds here: 404 for the identity, else for the credential.
          await deps.identities.get(id);
          throw notFound(`The identity has no "${type}" credentials.`);
        }
        await deps.identities.deleteCredential(id, target.type, identifier);
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
