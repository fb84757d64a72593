import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/errors.js';
import { csrfCookieName } from './csrf.js';
import { csrfViolation } from './csrf-error.js';
import { assertCsrf, type CookieSettings, notThisBrowser } from './http-context.js';
import { testCookies } from './testing/cookie-settings.js';

const settings: CookieSettings = { ...testCookies, csrfCookieName: csrfCookieName('https://foo/bar') };

/** The details Kratos's error for each case carries (x/nosurf.go's ErrInvalidCSRFToken…). */
const details = {
  AJAXNoCookies: csrfViolation('no_cookies', 'ajax').details,
  ServerNoCookies: csrfViolation('no_cookies', 'server').details,
  AJAXCookieMissing: csrfViolation('cookie_missing', 'ajax').details,
  ServerCookieMissing: csrfViolation('cookie_missing', 'server').details,
  AJAXTokenNotSent: csrfViolation('token_not_sent', 'ajax').details,
  ServerTokenNotSent: csrfViolation('token_not_sent', 'server').details,
  AJAXTokenMismatch: csrfViolation('token_mismatch', 'ajax').details,
  ServerTokenMismatch: csrfViolation('token_mismatch', 'server').details,
} as const;

const AJAX = { 'sec-fetch-mode': 'cors' };
const CSRF_COOKIE = `${settings.csrfCookieName}=bar;`;
const FORM = 'application/x-www-form-urlencoded';

describe('the CSRF failure of a request (Kratos CSRFErrorReason)', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    await app.register(fastifyCookie);
    await app.register(fastifyFormbody);
    app.setErrorHandler((error, _request, reply) =>
      error instanceof AppError ? reply.code(error.code).send(error.toJSON()) : reply.code(500).send(),
    );
    // A submission's check, and the check of a flow's browser (fetch or submit).
    app.route({
      method: ['GET', 'POST'],
      url: '/submit',
      handler: (request) => {
        const body = (request.body ?? {}) as { csrf_token?: string };
        assertCsrf(request, body.csrf_token, settings);
        return {};
      },
    });
    app.route({
      method: ['GET', 'POST'],
      url: '/owner',
      handler: (request) => {
        throw notThisBrowser(request, settings);
      },
    });
  });
  afterAll(() => app.close());

  async function failure(
    url: string,
    request: { method?: 'GET' | 'POST'; headers?: Record<string, string>; payload?: string },
  ): Promise<unknown> {
    const response = await app.inject({ method: request.method ?? 'GET', url, ...request });
    expect(response.statusCode).toBe(403);
    const body = response.json() as { error: { id: string; details: unknown } };
    expect(body.error.id).toBe('security_csrf_violation');
    return body.error.details;
  }

  // The cases of Kratos's TestNosurfBaseCookieErrorHandler: GET https://foo/bar, "ajax" with
  // Sec-Fetch-Mode: cors, "browser" with no headers; the CSRF cookie's value is "bar" (present,
  // not valid).
  describe.each(['/submit', '/owner'])('%s', (url) => {
    it.each([
      ['without cookie, ajax', { headers: AJAX }, details.AJAXNoCookies],
      ['without cookie, browser', {}, details.ServerNoCookies],
      [
        'cookie header without csrf cookie, ajax',
        { headers: { ...AJAX, cookie: 'foo=bar;' } },
        details.AJAXCookieMissing,
      ],
      [
        'cookie header without csrf cookie, browser',
        { headers: { cookie: 'foo=bar;' } },
        details.ServerCookieMissing,
      ],
      [
        'csrf cookie, token not sent, ajax',
        { headers: { ...AJAX, cookie: CSRF_COOKIE } },
        details.AJAXTokenNotSent,
      ],
      [
        'csrf cookie, token not sent, browser',
        { headers: { cookie: CSRF_COOKIE } },
        details.ServerTokenNotSent,
      ],
      [
        'csrf cookie and a header token that do not match, ajax',
        { headers: { ...AJAX, cookie: CSRF_COOKIE, 'x-csrf-token': 'bar' } },
        details.AJAXTokenMismatch,
      ],
      [
        'csrf cookie and a header token that do not match, browser',
        { headers: { cookie: CSRF_COOKIE, 'x-csrf-token': 'bar' } },
        details.ServerTokenMismatch,
      ],
      [
        'csrf cookie and a form token that do not match, ajax',
        {
          method: 'POST',
          headers: { ...AJAX, accept: FORM, 'content-type': FORM, cookie: CSRF_COOKIE },
          payload: 'csrf_token=bar',
        },
        details.AJAXTokenMismatch,
      ],
      [
        'csrf cookie and a form token that do not match, browser',
        {
          method: 'POST',
          headers: { accept: FORM, 'content-type': FORM, cookie: CSRF_COOKIE },
          payload: 'csrf_token=bar',
        },
        details.ServerTokenMismatch,
      ],
    ] as const)('%s', async (_name, request, expected) => {
      expect(await failure(url, request)).toEqual(expected);
    });
  });

  it('calls Sec-Fetch-Mode: no-cors and a JSON Accept AJAX', async () => {
    const cookie = 'foo=bar';
    expect(await failure('/submit', { headers: { cookie, 'sec-fetch-mode': 'no-cors' } })).toEqual(
      details.AJAXCookieMissing,
    );
    expect(await failure('/submit', { headers: { cookie, accept: 'application/json' } })).toEqual(
      details.AJAXCookieMissing,
    );
  });

  it('counts a token in a JSON body as not sent (Go reads r.Form), one in X-CSRF-Token as sent', async () => {
    const json = { accept: 'application/json', 'content-type': 'application/json', cookie: CSRF_COOKIE };
    const payload = JSON.stringify({ csrf_token: 'bar' });
    expect(await failure('/submit', { method: 'POST', headers: json, payload })).toEqual(
      details.AJAXTokenNotSent,
    );
    expect(
      await failure('/submit', { method: 'POST', headers: { ...json, 'x-csrf-token': 'bar' }, payload }),
    ).toEqual(details.AJAXTokenMismatch);
  });

  it('says "not sent" for a form post with Accept: application/json and no token, with the AJAX hint', async () => {
    const headers = { accept: 'application/json', 'content-type': FORM, cookie: CSRF_COOKIE };
    expect(await failure('/submit', { method: 'POST', headers, payload: 'method=password' })).toEqual(
      details.AJAXTokenNotSent,
    );
  });
});
