import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BROWSER_ACCEPT,
  cookiesOf,
  type ErrorTestApp,
  errorIdOf,
  NOW,
  SETTINGS_UI,
  startErrorTestApp,
} from './testing/app.js';

describe('GET /self-service/errors and /.well-known/change-password', () => {
  let subject: ErrorTestApp;
  let errorId: string;
  let cookie: string;

  beforeAll(async () => {
    subject = await startErrorTestApp();
    const failed = await subject.app.inject({
      method: 'POST',
      url: '/fail/csrf',
      headers: { accept: BROWSER_ACCEPT },
    });
    errorId = errorIdOf(failed);
    cookie = cookiesOf(failed) ?? '';
  });
  afterAll(async () => {
    await subject?.close();
  });

  it('gives the error, in Kratos shape, and records the read', async () => {
    const response = await subject.app.inject({
      url: `/self-service/errors?id=${errorId}`,
      headers: { cookie, accept: 'application/json' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['created_at', 'error', 'id', 'updated_at']);
    expect(body).toMatchObject({
      id: errorId,
      created_at: NOW.toISOString(),
      updated_at: NOW.toISOString(),
      error: {
        id: 'security_csrf_violation',
        code: 403,
        status: 'Forbidden',
        details: { reject_reason: expect.any(String) },
      },
    });
    expect(await subject.store.get(errorId)).toMatchObject({ wasSeen: true, seenAt: NOW });
  });

  it('gives the error to a server-side error UI without cookies, or another browser, as Kratos', async () => {
    const other = await subject.app.inject({
      method: 'POST',
      url: '/fail/csrf',
      headers: { accept: BROWSER_ACCEPT },
    });
    // `@ory/nextjs` getError sends only `Accept: application/json`.
    for (const headers of [{ accept: 'application/json' }, { cookie: cookiesOf(other) ?? '' }]) {
      const response = await subject.app.inject({ url: `/self-service/errors?id=${errorId}`, headers });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: errorId, error: { id: 'security_csrf_violation' } });
    }
  });

  it('reads the id from ?error= first, then ?id=, as Kratos', async () => {
    for (const query of [`error=${errorId}`, `error=${errorId}&id=nope`, `error=&id=${errorId}`]) {
      const response = await subject.app.inject({ url: `/self-service/errors?${query}` });
      expect(response.statusCode, query).toBe(200);
      expect(response.json().id, query).toBe(errorId);
    }
    const stub = await subject.app.inject({ url: '/self-service/errors?error=stub:500' });
    expect(stub.json().error).toMatchObject({ code: 500, reason: 'This is a stub error.' });
    const wrongFirst = await subject.app.inject({ url: `/self-service/errors?error=nope&id=${errorId}` });
    expect(wrongFirst.statusCode).toBe(404);
  });

  it('answers 404 for an unknown, malformed or missing id — as JSON even to a browser page request', async () => {
    for (const query of ['?id=00000000-0000-4000-8000-000000000000', '?id=nope', '?id=stub:999', '']) {
      const response = await subject.app.inject({
        url: `/self-service/errors${query}`,
        headers: { accept: BROWSER_ACCEPT, cookie },
      });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.json().error.code).toBe(404);
    }
  });

  it.each([
    ['stub:500', 500, 'Internal Server Error'],
    ['stub:400', 400, 'Bad Request'],
    ['stub:404', 404, 'Not Found'],
    ['stub:403', 403, 'Forbidden'],
  ])('serves the stub %s to anyone', async (id, code, status) => {
    const response = await subject.app.inject({ url: `/self-service/errors?id=${id}` });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.error).toMatchObject({ code, status, reason: 'This is a stub error.' });
    expect(typeof body.error.message).toBe('string');
  });

  it('sends /.well-known/change-password to the settings UI', async () => {
    const response = await subject.app.inject({ url: '/.well-known/change-password' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(SETTINGS_UI);
  });
});
