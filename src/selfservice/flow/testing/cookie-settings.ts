/**
 * Cookie settings of a public listener at {@link TEST_PUBLIC_BASE}, for unit tests of code that
 * reads or writes flow and session cookies. A module of its own: importing it loads no test app.
 */
import { csrfCookieName } from '../csrf.js';
import type { CookieSettings } from '../http-context.js';

export const TEST_PUBLIC_BASE = new URL('http://127.0.0.1:4433/');

export const testCookies: CookieSettings = {
  session: {
    name: 'ory_kratos_session',
    domain: undefined,
    path: '/',
    sameSite: 'Lax',
    persistent: true,
    secure: false,
  },
  csrf: { domain: undefined, path: '/', sameSite: 'Lax', secure: false },
  lifespanMs: 86_400_000,
  csrfCookieName: csrfCookieName(TEST_PUBLIC_BASE),
  cookieKeys: ['a-test-cookie-secret-that-is-long-enough'],
};
