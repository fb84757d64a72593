import { badRequest } from '../kernel/errors.js';
import { UUID } from '../persistence/uuid.js';

/** A position in the newest-first message list: the last message's creation time and id. */
export interface MessageCursor {
  createdAt: Date;
  id: string;
}

/**
 * Messages list newest first, as in Kratos, so the keyset is (created_at, id) rather than
 * the id alone that other lists use; the token is opaque to clients all the same.
 */
export function encodeMessageCursor(cursor: MessageCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdAt.toISOString(), k: cursor.id })).toString(
    'base64url',
  );
}

/** The cursor a token names; a 400 for anything that is not one of ours. */
export function decodeMessageCursor(token: string): MessageCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      const { t, k } = parsed as { t?: unknown; k?: unknown };
      if (typeof t === 'string' && typeof k === 'string' && UUID.test(k)) {
        const createdAt = new Date(t);
        if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: k };
      }
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('The page token is invalid; use the page_token of a previous response.');
}
