import { badRequest } from '../kernel/errors.js';
import { UUID } from './uuid.js';

// Pages are keyset pages ordered by id, or newest first (sessions).

/** An opaque token naming the last id of a page. */
export function encodePageToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ k: lastId })).toString('base64url');
}

/** The last id a page token names; a 400 for anything that is not one of ours. */
export function decodePageToken(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'k' in parsed) {
      const k = (parsed as { k: unknown }).k;
      if (typeof k === 'string' && UUID.test(k)) return k;
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('The page token is invalid; use the page_token of a previous response.');
}

/**
 * A token naming the last row of a page ordered newest first, as Kratos's keyset pages list
 * sessions and courier messages: created_at descending, then id ascending among rows created at
 * the same instant.
 */
export function encodeNewestFirstToken(last: { id: string; created_at: Date }): string {
  return Buffer.from(JSON.stringify({ k: last.id, t: last.created_at.toISOString() })).toString('base64url');
}

/** The last row a newest-first page token names; a 400 for anything that is not one of ours. */
export function decodeNewestFirstToken(token: string): { id: string; createdAt: Date } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      const { k, t } = parsed as { k?: unknown; t?: unknown };
      const createdAt = typeof t === 'string' ? new Date(t) : undefined;
      if (
        typeof k === 'string' &&
        UUID.test(k) &&
        createdAt !== undefined &&
        !Number.isNaN(createdAt.getTime())
      ) {
        return { id: k, createdAt };
      }
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('The page token is invalid; use the page_token of a previous response.');
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
