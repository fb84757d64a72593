import { badRequest } from '../kernel/errors.js';
import { UUID } from './uuid.js';

// Pages are keyset pages ordered by id.

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

/** Splits `pageSize + 1` fetched rows into a page and the token of the next one. */
export function toPage<T extends { id: string }>(
  rows: T[],
  pageSize: number,
): { items: T[]; nextPageToken?: string } {
  const items = rows.slice(0, pageSize);
  const last = items.at(-1);
  return rows.length > pageSize && last !== undefined
    ? { items, nextPageToken: encodePageToken(last.id) }
    : { items };
}
