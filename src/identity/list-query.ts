/**
 * The query of `GET /admin/identities`, read and checked as Kratos's parseListIdentitiesParameters
 * and ParseKeysetOrPagePagination read it.
 */

import { badRequest } from '../kernel/errors.js';
import { parseGoInt } from '../kernel/go-int.js';
import type { CredentialIdentifierFilter } from '../persistence/identity-store.js';
import { normalizeIdentifierGraceful } from './schema/index.js';

/** Keyset pages as Kratos's ListIdentities sizes them (ory/x keysetpagination): 250 unless asked, at most 500. */
const DEFAULT_PAGE_SIZE = 250;
const MAX_PAGE_SIZE = 500;
/** Numbered pages as Kratos's ParseKeysetOrPagePagination reads them (ory/x pagepagination). */
const DEFAULT_PER_PAGE = 250;
const MAX_PER_PAGE = 500;
/** How far numbered pages reach (`page` × `per_page`): Kratos's PagePaginationLimit. */
const LEGACY_PAGINATION_LIMIT = 1000;
/** How many `ids` one list request may name, as in Kratos. */
const MAX_IDS = 500;

/** The `include_credential` values Kratos's ParseCredentialsType takes; anything else is a 400. */
const INCLUDABLE_CREDENTIALS: readonly string[] = [
  'password',
  'oidc',
  'saml',
  'totp',
  'lookup_secret',
  'webauthn',
  'code',
  'link_recovery',
  'code_recovery',
  'passkey',
];

export interface ListQuery {
  page_size?: string;
  page_token?: string;
  per_page?: string;
  page?: string;
  ids?: string | string[];
  credentials_identifier?: string;
  preview_credentials_identifier_similar?: string;
  organization_id?: string;
  include_credential?: string | string[];
}

export const listOf = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : ([] as string[]).concat(value);

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_UUID = /^[0-9a-f]{32}$/i;

/**
 * A UUID in any spelling Kratos's parser (gofrs/uuid `FromString`) takes: canonical, 32 hex
 * digits, either in braces or after `urn:uuid:`; in canonical lower-case form, or undefined.
 */
export function parseUuid(value: string): string | undefined {
  let body = value;
  if (value.length === 34 || value.length === 38) {
    if (!value.startsWith('{') || !value.endsWith('}')) return undefined;
    body = value.slice(1, -1);
  } else if (value.length === 41 || value.length === 45) {
    if (!value.startsWith('urn:uuid:')) return undefined;
    body = value.slice(9);
  }
  if (CANONICAL_UUID.test(body)) return body.toLowerCase();
  if (!HEX_UUID.test(body)) return undefined;
  const hex = body.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** How a list is paged: keyset pages (`page_size`, `page_token`) or the deprecated numbered ones. */
export type Paging =
  | { kind: 'keyset'; pageSize: number; pageToken?: string }
  | { kind: 'numbered'; page: number; perPage: number };

/**
 * Kratos's ParseKeysetOrPagePagination: `page_token` or `page_size` mean keyset pages; else `page`
 * means numbered pages (`page` from 0, `per_page` 1-500, default 250), refused past the first
 * 1000 identities; else keyset pages, `per_page` standing in for `page_size`.
 */
function parsePaging(query: ListQuery): Paging {
  if (query.page_token !== undefined || query.page_size !== undefined) {
    return keysetPaging(query.page_size, query.page_token);
  }
  if (query.page === undefined) return keysetPaging(query.per_page, undefined);
  const asked = parseGoInt(query.page);
  const page = typeof asked === 'number' ? Math.max(asked, 0) : 0;
  const askedSize = parseGoInt(query.per_page ?? '');
  const perPage = Math.min(
    Math.max(typeof askedSize === 'number' ? askedSize : DEFAULT_PER_PAGE, 1),
    MAX_PER_PAGE,
  );
  if (page * perPage > LEGACY_PAGINATION_LIMIT) {
    throw badRequest(
      `Legacy pagination is not supported for enumerating over ${LEGACY_PAGINATION_LIMIT} items. Please switch to using page_token and page_size.`,
    );
  }
  return { kind: 'numbered', page, perPage };
}

/** ory/x keysetpagination: a size that is not a number is a 400 in Go's words; 0 or less is the default. */
function keysetPaging(size: string | undefined, token: string | undefined): Paging {
  let pageSize = DEFAULT_PAGE_SIZE;
  if (size !== undefined && size !== '') {
    const asked = parseGoInt(size);
    if (typeof asked !== 'number') {
      throw badRequest(`strconv.Atoi: parsing ${JSON.stringify(size)}: ${asked}`);
    }
    if (asked > 0) pageSize = Math.min(asked, MAX_PAGE_SIZE);
  }
  return token === undefined || token === ''
    ? { kind: 'keyset', pageSize }
    : { kind: 'keyset', pageSize, pageToken: token };
}

/** What `GET /admin/identities` asks for. */
export interface ListParams {
  ids?: string[];
  credentialsIdentifier?: CredentialIdentifierFilter;
  organizationId?: string;
  include: string[];
  paging: Paging;
}

/**
 * Kratos's parseListIdentitiesParameters, check for check and in its order: each `ids` value a
 * UUID, at most 500 of them; `organization_id` a UUID; one filter at most (`ids`,
 * `organization_id`, `credentials_identifier`, `preview_credentials_identifier_similar`);
 * `include_credential` a known type; then the paging.
 */
export function parseListParams(query: ListQuery): ListParams {
  const params: ListParams = { include: [], paging: { kind: 'keyset', pageSize: DEFAULT_PAGE_SIZE } };
  let filters = 0;
  const ids = listOf(query.ids);
  if (ids.length > 0) {
    filters++;
    params.ids = ids.map((value) => {
      const id = parseUuid(value);
      if (id === undefined) throw badRequest(`Invalid UUID value \`${value}\` for parameter \`ids\`.`);
      return id;
    });
  }
  if (ids.length > MAX_IDS) throw badRequest(`The number of ids to filter must not exceed ${MAX_IDS}.`);
  const organization = query.organization_id;
  if (organization) {
    filters++;
    params.organizationId = parseUuid(organization);
    if (params.organizationId === undefined) {
      throw badRequest(`Invalid UUID value \`${organization}\` for parameter \`organization_id\`.`);
    }
  }
  if (query.credentials_identifier) {
    filters++;
    params.credentialsIdentifier = identifierFilter(query.credentials_identifier, 'equal');
  }
  if (query.preview_credentials_identifier_similar) {
    filters++;
    params.credentialsIdentifier = identifierFilter(query.preview_credentials_identifier_similar, 'prefix');
  }
  params.include = includedCredentials(query);
  if (filters > 1) throw badRequest('You cannot combine multiple filters in this API');
  params.paging = parsePaging(query);
  return params;
}

/** Password, webauthn and code identifiers are matched normalised (as login does), oidc and saml ones as given. */
function identifierFilter(
  identifier: string,
  match: CredentialIdentifierFilter['match'],
): CredentialIdentifierFilter {
  return { exact: identifier, normalized: normalizeIdentifierGraceful(identifier), match };
}

/** The credential types `include_credential` names; an unknown one is Kratos's 400. */
export function includedCredentials(query: unknown): string[] {
  const asked = listOf((query as { include_credential?: string | string[] } | undefined)?.include_credential);
  for (const type of asked) {
    if (!INCLUDABLE_CREDENTIALS.includes(type)) {
      throw badRequest(`Invalid value \`${type}\` for parameter \`include_credential\`.`);
    }
  }
  return asked;
}
