import type { FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCsrfCookie } from '../flow/csrf.js';
import { csrfBinding } from '../flow/http-context.js';
import { isBrowserPageRequest } from './report.js';
import {
  BROWSER_ACCEPT,
  cookiesOf,
  ERROR_UI,
  type ErrorTestApp,
  errorIdOf,
  NOW,
  startErrorTestApp,
  testCookies,
} from './testing/app.js';

function requestWith(accept: string | undefined): FastifyRequest {
  return { headers: accept === undefined ? {} : { accept } } as FastifyRequest;
}

describe('isBrowserPageRequest', () => {
  it.each([
    [BROWSER_ACCEPT, true],
    ['text/html', true],
    ['application/json', false],
    // Kratos negotiates: on a tie, HTML (the first offer) wins.
    ['text/html, application/json', true],
    ['text/html;q=0.5, application/json', false],
    ['*/*', false],
    [undefined, false],
  ])('Accept %s: %s', (accept, expected) => {
    expect(isBrowserPageRequest(requestWith(accept))).toBe(expected);
  });
});

describe('reportErrorsToBrowsers', () => {
  let subject: ErrorTestApp | undefined;
  afterEach(async () => {
    await subject?.close();
    subject = undefined;
  });

  it('stores the error for a browser page request and sends it to the error UI', async () => {
    subject = await startErrorTestApp();
    const response = await subject.app.inject({
      method: 'POST',
      url: '/fail/csrf',
      headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'csrf_token=forged',
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(new RegExp(`^${ERROR_UI}\\?id=[0-9a-f-]{36}$`));
    // The browser had no CSRF cookie: it gets one, and the error is tied to it.
    expect(response.cookies.map((c) => c.name)).toEqual([testCookies.csrfCookieName]);
    const stored = await subject.store.get(errorIdOf(response));
    expect(stored).toMatchObject({
      error: { id: 'security_csrf_violation', code: 403, status: 'Forbidden' },
      wasSeen: false,
      seenAt: null,
      createdAt: NOW,
      updatedAt: NOW,
    });
  });

  it('keeps the CSRF cookie a browser already has', async () => {
    subject = await startErrorTestApp();
    const first = await subject.app.inject({ url: '/fail/return-to', headers: { accept: BROWSER_ACCEPT } });
    const cookie = cookiesOf(first) ?? '';
    const second = await subject.app.inject({
      url: '/fail/return-to',
      headers: { accept: BROWSER_ACCEPT, cookie },
    });
    expect(second.statusCode).toBe(303);
    expect(second.cookies).toEqual([]);
    const read = await subject.app.inject({
      url: `/self-service/errors?id=${errorIdOf(second)}`,
      headers: { cookie },
    });
    expect(read.statusCode).toBe(200);
  });

  it('stores an error hit after the answer rotated the CSRF secret with the new secret, as Kratos', async () => {
    subject = await startErrorTestApp();
    const first = await subject.app.inject({ url: '/fail/return-to', headers: { accept: BROWSER_ACCEPT } });
    const oldCookie = first.cookies.find((c) => c.name === testCookies.csrfCookieName)?.value;
    const rotated = await subject.app.inject({
      url: '/fail/after-rotation',
      headers: { accept: BROWSER_ACCEPT, cookie: cookiesOf(first) ?? '' },
    });
    expect(rotated.statusCode).toBe(303);
    const newCookie = rotated.cookies.find((c) => c.name === testCookies.csrfCookieName)?.value;
    expect(newCookie).toBeDefined();
    expect(newCookie).not.toBe(oldCookie);
    const secret = decodeCsrfCookie(newCookie, testCookies.cookieKeys);
    expect(secret).toBeDefined();
    const stored = await subject.store.get(errorIdOf(rotated));
    expect(stored?.csrfToken).toBe(csrfBinding(secret ?? Buffer.alloc(0)));
    // One CSRF cookie is set, the rotated one: the report does not give out a secret of its own.
    expect(rotated.cookies.filter((c) => c.name === testCookies.csrfCookieName)).toHaveLength(1);
  });

  it('stores an unexpected failure as a bare 500, without its text or stack', async () => {
    subject = await startErrorTestApp();
    const response = await subject.app.inject({ url: '/fail/crash', headers: { accept: BROWSER_ACCEPT } });
    expect(response.statusCode).toBe(303);
    const stored = await subject.store.get(errorIdOf(response));
    expect(stored?.error).toEqual({
      code: 500,
      status: 'Internal Server Error',
      message: 'An internal server error occurred, please contact the system administrator',
    });
    expect(JSON.stringify(stored)).not.toContain('postgres://');
  });

  it.each([
    ['a JSON client', { accept: 'application/json' }],
    ['a script (Accept */*)', { accept: '*/*' }],
    ['a client without Accept', {}],
  ])('answers %s with the JSON error and stores nothing', async (_name, headers) => {
    subject = await startErrorTestApp();
    const response = await subject.app.inject({ url: '/fail/return-to', headers });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: {
        code: 400,
        status: 'Bad Request',
        reason: 'Requested return_to URL "https://evil.example" is not allowed.',
        message: 'The request was malformed or contained invalid parameters',
      },
    });
    expect(await subject.count()).toBe(0);
  });

  it('answers JSON to browsers when there is no error UI', async () => {
    subject = await startErrorTestApp(() => ({ uiUrl: undefined }));
    const response = await subject.app.inject({
      method: 'POST',
      url: '/fail/csrf',
      headers: { accept: BROWSER_ACCEPT },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.id).toBe('security_csrf_violation');
  });

  it('answers JSON to browsers when the error cannot be stored', async () => {
    subject = await startErrorTestApp((store) => ({
      store: { ...store, create: () => Promise.reject(new Error('the database is gone')) },
    }));
    const response = await subject.app.inject({
      url: '/fail/return-to',
      headers: { accept: BROWSER_ACCEPT },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});
