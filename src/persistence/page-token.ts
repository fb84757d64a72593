import { badRequest } from '../kernel/errors.js';
import { UUID } from './uuid.js';

// Pages are keyset pages ordered by id, or newest first (sessions).

/**
 * The token of the first page of a list ordered by id: Kratos's identity DefaultPageToken (the nil
 * UUID), which its `first` links carry. Every id comes after it.
 */
export const FIRST_PAGE_TOKEN = '00000000-0000-0000-0000-000000000000';

const INVALID = 'The page token is invalid; use the page_token of a previous response.';

/**
 * The token naming the last id of a page: the id itself, as Kratos's identity tokens are
 * (keysetpagination.StringPageToken), so a client may also start after any id it knows.
 */
export function encodePageToken(lastId: string): string {
  return lastId;
}

/**
 * The last id a page token names: a UUID (Kratos's tokens, ours, and the nil UUID of `first`
 * links), or the base64url JSON `{k: id}` earlier versions handed out; a 400 for anything else.
 */
export function decodePageToken(token: string): string {
  if (UUID.test(token)) return token.toLowerCase();
  const parsed = parseBase64UrlJson(token);
  if (typeof parsed === 'object' && parsed !== null && 'k' in parsed) {
    const k = (parsed as { k: unknown }).k;
    if (typeof k === 'string' && UUID.test(k)) return k.toLowerCase();
  }
  throw badRequest(INVALID);
}

/** A token's base64url JSON, parsed; undefined when it is not that. */
export function parseBase64UrlJson(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Kratos's DefaultPageToken of its newest-first lists (sessions, courier messages): an ory/x
 * MapPageToken, base64 (standard alphabet, unpadded) of `id=<nil UUID>/created_at=<2200-12-31>`,
 * which comes before every row. Kratos's `first` links carry it.
 */
export const NEWEST_FIRST_START_TOKEN = Buffer.from(`id=${FIRST_PAGE_TOKEN}/created_at=2200-12-31 23:59:59`)
  .toString('base64')
  .replace(/=+$/, '');

/**
 * A token naming the last row of a page ordered newest first, as Kratos's keyset pages list
 * sessions and courier messages: created_at descending, then id ascending among rows created at
 * the same instant.
 */
export function encodeNewestFirstToken(last: { id: string; created_at: Date }): string {
  return Buffer.from(JSON.stringify({ k: last.id, t: last.created_at.toISOString() })).toString('base64url');
}

/**
 * The last row a newest-first page token names: one of ours (base64url JSON `{k, t}`), one of
 * Kratos's (an ory/x MapPageToken: `id=…/created_at=2006-01-02 15:04:05.99999`, UTC, in either
 * order), or the nil UUID of a `first` link (before every row); a 400 for anything else.
 */
export function decodeNewestFirstToken(token: string): { id: string; createdAt: Date } {
  if (token === FIRST_PAGE_TOKEN) return { id: FIRST_PAGE_TOKEN, createdAt: NEWEST_FIRST_START };
  const parsed = parseBase64UrlJson(token);
  if (typeof parsed === 'object' && parsed !== null) {
    const { k, t } = parsed as { k?: unknown; t?: unknown };
    const createdAt = typeof t === 'string' ? new Date(t) : undefined;
    if (
      typeof k === 'string' &&
      UUID.test(k) &&
      createdAt !== undefined &&
      !Number.isNaN(createdAt.getTime())
    ) {
      return { id: k.toLowerCase(), createdAt };
    }
  }
  const kratos = decodeMapPageToken(token);
  if (kratos !== undefined) return kratos;
  throw badRequest(INVALID);
}

const NEWEST_FIRST_START = new Date('2200-12-31T23:59:59Z');

/** Kratos's MapPageTokenDateFormat, "2006-01-02 15:04:05.99999" (UTC, fraction optional). */
const MAP_TOKEN_DATE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$/;

/** An ory/x MapPageToken of a newest-first list, or undefined when the token is not one. */
function decodeMapPageToken(token: string): { id: string; createdAt: Date } | undefined {
  // Node's base64 decoder takes both alphabets, with or without padding.
  const text = Buffer.from(token, 'base64').toString('utf8');
  const fields = new Map<string, string>();
  for (const part of text.split('/')) {
    const at = part.indexOf('=');
    if (at !== -1) fields.set(part.slice(0, at), part.slice(at + 1));
  }
  const id = fields.get('id');
  const date = MAP_TOKEN_DATE.exec(fields.get('created_at') ?? '');
  if (id === undefined || !UUID.test(id) || date === null) return undefined;
  // Milliseconds are what rows keep here; finer digits cannot tell two of them apart.
  const fraction = (date[3] ?? '').padEnd(3, '0').slice(0, 3);
  const createdAt = new Date(`${date[1]}T${date[2]}.${fraction}Z`);
  return Number.isNaN(createdAt.getTime()) ? undefined : { id: id.toLowerCase(), createdAt };
}

/** Splits `pageSize + 1` fetched rows into a page and the token of the next one. */
export function toPage<T extends { id: string }>(
  rows: T[],
  pageSize: number,
  tokenOf: (last: T) => string = (last) => encodePageToken(last.id),
): { items: T[]; nextPageToken?: string } {
  const items = rows.slice(0, pageSize);
  const last = items.at(-1);
  return rows.length > pageSize && last !== undefined ? { items, nextPageToken: tokenOf(last) } : { items };
}
