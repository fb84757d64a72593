/**
 * The body of `POST /admin/sessions` (Kratos's manageSessionsBody): the shape is checked by the
 * route's JSON schema, the rules the spec states in prose here.
 */
import { badRequest } from '../kernel/errors.js';
import type { ManageSessionsAction, ManageSessionsCommand } from './bulk.js';

/** The spec's per-call limit on explicit ids, in either list. */
export const MAX_EXPLICIT_IDS = 500;

const WILDCARD = '*';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const manageSessionsBodySchema = {
  type: 'object',
  required: ['action'],
  properties: {
    action: { type: 'string', enum: ['disable', 'delete'] },
    // null as Go's encoder writes an unset list; treated as absent.
    identities: { type: ['array', 'null'], items: { type: 'string' } },
    sessions: { type: ['array', 'null'], items: { type: 'string' } },
  },
} as const;

export interface ManageSessionsBody {
  action: ManageSessionsAction;
  identities?: string[] | null;
  sessions?: string[] | null;
}

/** Explicit ids: at most 500, each a UUID; duplicates are handled once. */
function explicitIds(field: 'identities' | 'sessions', ids: readonly string[]): string[] {
  if (ids.length > MAX_EXPLICIT_IDS) {
    throw badRequest(`At most ${MAX_EXPLICIT_IDS} ${field} may be given per call; got ${ids.length}.`);
  }
  const malformed = ids.find((id) => !UUID.test(id));
  if (malformed !== undefined) {
    throw badRequest(`${field} must hold UUIDs; "${malformed.slice(0, 64)}" is not one.`);
  }
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}

/**
 * The command a valid body asks for; a 400 for a body the spec refuses: neither or both of
 * `identities` and `sessions` (an empty list counts as absent), the wildcard anywhere but alone
 * in `identities`, more than 500 ids, or an id that is not a UUID.
 */
export function parseManageSessionsBody(body: ManageSessionsBody): ManageSessionsCommand {
  const identities = body.identities ?? [];
  const sessions = body.sessions ?? [];
  if (identities.length > 0 === sessions.length > 0) {
    throw badRequest('Exactly one of identities or sessions must be provided.');
  }
  if (sessions.includes(WILDCARD)) {
    throw badRequest(
      'The wildcard "*" is not accepted in sessions; use identities: ["*"] for every session.',
    );
  }
  if (identities.includes(WILDCARD)) {
    if (identities.length !== 1) {
      throw badRequest('The wildcard "*" must appear alone in identities, never with explicit ids.');
    }
    return { action: body.action, scope: { kind: 'all' } };
  }
  if (identities.length > 0) {
    return {
      action: body.action,
      scope: { kind: 'identities', identityIds: explicitIds('identities', identities) },
    };
  }
  return { action: body.action, scope: { kind: 'sessions', sessionIds: explicitIds('sessions', sessions) } };
}
