import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../kernel/errors.js';
import {
  MAX_EXPLICIT_IDS,
  type ManageSessionsBody,
  parseManageSessionsBody,
} from './manage-sessions-body.js';

function refusal(body: ManageSessionsBody): AppError {
  try {
    parseManageSessionsBody(body);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('manageSessions body', () => {
  const id = randomUUID();

  it('reads the wildcard, identities and sessions into a scope', () => {
    expect(parseManageSessionsBody({ action: 'disable', identities: ['*'] })).toEqual({
      action: 'disable',
      scope: { kind: 'all' },
    });
    expect(
      parseManageSessionsBody({ action: 'delete', identities: [id, id.toUpperCase()], sessions: [] }),
    ).toEqual({
      action: 'delete',
      scope: { kind: 'identities', identityIds: [id] },
    });
    expect(parseManageSessionsBody({ action: 'disable', sessions: [id], identities: null })).toEqual({
      action: 'disable',
      scope: { kind: 'sessions', sessionIds: [id] },
    });
  });

  it.each<[string, ManageSessionsBody]>([
    ['neither list', { action: 'disable' }],
    ['two empty lists', { action: 'disable', identities: [], sessions: [] }],
    ['both lists', { action: 'disable', identities: [id], sessions: [id] }],
    ['the wildcard in sessions', { action: 'delete', sessions: ['*'] }],
    ['the wildcard with ids', { action: 'delete', identities: ['*', id] }],
    ['the wildcard twice', { action: 'delete', identities: ['*', '*'] }],
    ['an id that is not a UUID', { action: 'delete', sessions: [id, 'not-a-uuid'] }],
    [
      'too many identities',
      { action: 'delete', identities: Array.from({ length: 501 }, () => randomUUID()) },
    ],
    ['too many sessions', { action: 'disable', sessions: Array.from({ length: 501 }, () => randomUUID()) }],
  ])('refuses %s with a 400 in Kratos shape', (_, body) => {
    const error = refusal(body);
    expect(error.toJSON()).toEqual({
      error: {
        code: 400,
        status: 'Bad Request',
        message: 'The request was malformed or contained invalid parameters',
        reason: expect.any(String),
      },
    });
  });

  it('accepts exactly the limit of explicit ids', () => {
    const ids = Array.from({ length: MAX_EXPLICIT_IDS }, () => randomUUID());
    expect(parseManageSessionsBody({ action: 'delete', sessions: ids }).scope).toEqual({
      kind: 'sessions',
      sessionIds: ids,
    });
  });
});
