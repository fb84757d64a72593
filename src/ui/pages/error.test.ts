import { describe, expect, it } from 'vitest';
import type { FlowErrorJson } from '../../selfservice/errors/index.js';
import { storedErrorPage } from './error.js';

function flowError(error: FlowErrorJson['error']): FlowErrorJson {
  return {
    id: '8f1d2c3b-0000-4000-8000-000000000001',
    error,
    created_at: '2026-06-01T12:00:00.000Z',
    updated_at: '2026-06-01T12:00:00.000Z',
  };
}

describe('storedErrorPage', () => {
  it('shows status, message, reason and the reference', () => {
    expect(
      storedErrorPage(
        flowError({
          id: 'security_csrf_violation',
          code: 403,
          status: 'Forbidden',
          message: 'The request was rejected.',
          reason: 'Please retry the flow.',
          details: { hint: 'not shown' },
        }),
      ),
    ).toEqual({
      status: 200,
      message: 'error.csrf',
      reference: '8f1d2c3b-0000-4000-8000-000000000001',
      facts: {
        status: '403 Forbidden',
        message: 'The request was rejected.',
        reason: 'Please retry the flow.',
      },
    });
  });

  it.each([
    [{ code: 404, status: 'Not Found', message: 'm' }, 'error.not_found'],
    [{ code: 500, status: 'Internal Server Error', message: 'm' }, 'error.server'],
    [{ code: 400, status: 'Bad Request', message: 'm' }, 'error.generic'],
  ])('picks the plain-language line for %j', (error, message) => {
    const page = storedErrorPage(flowError(error));
    expect(page.message).toBe(message);
    expect(page.facts).not.toHaveProperty('reason');
  });

  it('copes with an error body missing its fields', () => {
    expect(storedErrorPage(flowError({})).facts).toEqual({ status: '500', message: '' });
  });
});
