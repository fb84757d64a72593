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
import { keysetPageLinks } from '../kernel/page-links.js';
import type { IdentityStore } from '../persistence/identity-store.js';
import {
  batchPatchBodySchema,
  type CreateIdentityBody,
  createIdentityBodySchema,
  jsonPatchBodySchema,
  MAX_BATCH_WITH_PLAINTEXT,
  type UpdateIdentityBody,
  updateIdentityBodySchema,
} from './bodies.js';
import type { IdentityManager, JsonPatchOperation } from './manager.js';
import {
  CREDENTIAL_TYPES,
  type Credential,
  type CredentialType,
  type Identity,
  type JsonObject,
} from './model.js';
import { declassifiedOidcConfig } from './provider-tokens.js';
import { normalizeIdentifierGraceful } from './schema/index.js';
import { serializeIdentity } from './serialize.js';

export interface AdminIdentityRoutesDeps {
  identities: IdentityManager;
  schemaUrl(schemaId: string): string;
  /** The lookup behind `GET /admin/identities/by/external/{externalID}`. */
  externalIds: Pick<IdentityStore, 'findByExternalId'>;
  /** Opens the provider tokens sealed in oidc credentials, for `include_credential=oidc`. */
  cipher: SecretCipher;
}

const DEFAULT_PAGE_SIZE = 250;
const MAX_PAGE_SIZE = 1000;

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

/** `include_credential` (see credentialConfigFor). */
const includeCredentialQuery = {
  type: 'object',
  properties: {
    include_credential: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  },
} as const;

/**
 * What `include_credential` shows, as Kratos's WithDeclassifiedCredentials: with `oidc`, the oidc
 * credential's linked accounts with the tokens sealed at linking in the clear. Nothing else is
 * declassified: password hashes and every other config stay out, whatever is asked.
 */
function credentialConfigFor(
  query: unknown,
  cipher: SecretCipher,
): ((credential: Credential) => JsonObject | undefined) | undefined {
  const asked = (query as { include_credential?: string | string[] } | undefined)?.include_credential;
  if (asked === undefined || ![asked].flat().includes('oidc')) return undefined;
  return (credential) => {
    if (credential.type !== 'oidc') return undefined;
    try {
      return declassifiedOidcConfig(credential.config, cipher);
    } catch (error) {
      // A token sealed with a key no longer in secrets.cipher: Kratos fails the request too.
      throw internalError(
        'The OpenID Connect tokens could not be decrypted: the key that sealed them is no longer in secrets.cipher (or secrets.default, when secrets.cipher is unset).',
        error,
      );
    }
  };
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } },
} as const;

const listQuery = {
  type: 'object',
  properties: {
    page_size: { type: 'string', pattern: '^[0-9]+$' },
    per_page: { type: 'string', pattern: '^[0-9]+$' },
    page: { type: 'string' },
    page_token: { type: 'string' },
    ids: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    credentials_identifier: { type: 'string' },
    include_credential: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  },
} as const;

interface BatchResult {
  action: 'create' | 'error';
  identity?: string;
  patch_id?: string;
  error?: ErrorBody['error'];
}

interface ListQuery {
  page_size?: string;
  per_page?: string;
  page_token?: string;
  ids?: string | string[];
  credentials_identifier?: string;
}

/** Identifiers are stored normalised; a lookup normalises the same way login does. */
function normaliseLookup(identifier: string): string {
  return normalizeIdentifierGraceful(identifier);
}

function pageSize(query: ListQuery): number {
  const raw = query.page_size ?? query.per_page;
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const size = Number(raw);
  if (size < 1 || size > MAX_PAGE_SIZE) throw badRequest(`page_size must be between 1 and ${MAX_PAGE_SIZE}.`);
  return size;
}

/**
 * `/admin/identities` routes as in Kratos's admin API. Registered under both `/admin` and
 * the root, as Kratos serves them.
 */
export function adminIdentityRoutes(deps: AdminIdentityRoutesDeps) {
  const view = (identity: Identity, query?: unknown) =>
    serializeIdentity(identity, {
      admin: true,
      schemaUrl: deps.schemaUrl(identity.schema_id),
      credentialConfig: credentialConfigFor(query, deps.cipher),
    });

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/identities', { schema: { querystring: listQuery } }, async (request, reply) => {
      const query = request.query as ListQuery;
      const size = pageSize(query);
      const ids = query.ids === undefined ? undefined : ([] as string[]).concat(query.ids);
      const page = await deps.identities.list({
        pageSize: size,
        pageToken: query.page_token,
        ids,
        credentialsIdentifier:
          query.credentials_identifier === undefined
            ? undefined
            : normaliseLookup(query.credentials_identifier),
      });
      reply.header('Link', keysetPageLinks(request.url, size, page.nextPageToken));
      return page.identities.map((identity) => view(identity, request.query));
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
        view(await deps.identities.get((request.params as { id: string }).id), request.query),
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
        return view(identity, request.query);
      },
    );
  };
}
