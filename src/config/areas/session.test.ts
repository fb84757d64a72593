import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../types.js';
import { cookieSecureIssues, sessionConfig } from './session.js';

const doc = (extra: Record<string, unknown>) => extra as unknown as KratosConfigDocument;

describe('sessionConfig', () => {
  it('defaults as Kratos: 24h, ory_kratos_session, Lax, persistent, Secure unless dev', () => {
    expect(sessionConfig(doc({}), false)).toEqual({
      lifespanMs: 86_400_000,
      earliestPossibleExtendMs: undefined,
      fasterExtend: false,
      cookie: {
        name: 'ory_kratos_session',
        domain: undefined,
        path: '/',
        sameSite: 'Lax',
        persistent: true,
        secure: true,
      },
      csrfCookie: { domain: undefined, path: '/', sameSite: 'Lax', secure: true },
    });
    expect(sessionConfig(doc({}), true).cookie.secure).toBe(false);
  });

  it('reads session.cookie over cookies, and the durations', () => {
    const config = sessionConfig(
      doc({
        session: {
          lifespan: '1h30m',
          earliest_possible_extend: '15m',
          cookie: { name: 'sid', domain: 'app.test', persistent: false },
        },
        cookies: { domain: 'other.test', path: '/auth', same_site: 'Strict', secure: 'false' },
        feature_flags: { faster_session_extend: true },
      }),
      false,
    );
    expect(config).toEqual({
      lifespanMs: 5_400_000,
      earliestPossibleExtendMs: 900_000,
      fasterExtend: true,
      cookie: {
        name: 'sid',
        domain: 'app.test',
        path: '/auth',
        sameSite: 'Strict',
        persistent: false,
        // cookies.secure is not the session cookie's (Kratos's SessionCookieSecure).
        secure: true,
      },
      // session.cookie.* never reaches the CSRF cookie, which is Lax when not Secure.
      csrfCookie: { domain: 'other.test', path: '/auth', sameSite: 'Lax', secure: false },
    });
  });

  it("keeps the session cookie Secure in production when only cookies.secure says false (Kratos's SessionCookieSecure)", () => {
    const config = sessionConfig(doc({ cookies: { secure: 'false' } }), false);
    expect(config.cookie.secure).toBe(true);
    expect(config.csrfCookie.secure).toBe(false);
    // And cookies.secure: "true" does not make a dev session cookie Secure either.
    expect(sessionConfig(doc({ cookies: { secure: 'true' } }), true).cookie.secure).toBe(false);
  });

  // Kratos's NosurfBaseCookieHandler: secure = cookies.secure, else !dev; SameSite = Lax unless
  // secure, else cookies.same_site (default Lax). SameSite=None never forces Secure.
  describe.each([false, true])('the CSRF cookie with dev=%s', (dev) => {
    it.each([
      [undefined, undefined],
      [undefined, 'Strict'],
      [undefined, 'Lax'],
      [undefined, 'None'],
      ['true', undefined],
      ['true', 'Strict'],
      ['true', 'Lax'],
      ['true', 'None'],
      ['false', undefined],
      ['false', 'Strict'],
      ['false', 'Lax'],
      ['false', 'None'],
    ] as const)('cookies.secure=%s, cookies.same_site=%s', (secureSetting, sameSiteSetting) => {
      const cookies: Record<string, string> = {};
      if (secureSetting !== undefined) cookies.secure = secureSetting;
      if (sameSiteSetting !== undefined) cookies.same_site = sameSiteSetting;
      const secure = secureSetting === undefined ? !dev : secureSetting === 'true';
      const sameSite = secure ? (sameSiteSetting ?? 'Lax') : 'Lax';
      expect(sessionConfig(doc({ cookies }), dev).csrfCookie).toEqual({
        domain: undefined,
        path: '/',
        secure,
        sameSite,
      });
    });
  });

  it('reads session.cookie.secure for the session cookie, over cookies.secure and dev mode', () => {
    const secureInDev = sessionConfig(doc({ session: { cookie: { secure: 'true' } } }), true);
    expect(secureInDev.cookie.secure).toBe(true);
    expect(secureInDev.csrfCookie.secure).toBe(false);
    const overGlobal = sessionConfig(
      doc({ session: { cookie: { secure: 'true' } }, cookies: { secure: 'false' } }),
      false,
    );
    expect(overGlobal.cookie.secure).toBe(true);
    expect(overGlobal.csrfCookie.secure).toBe(false);
    expect(sessionConfig(doc({ session: { cookie: { secure: 'false' } } }), false).cookie.secure).toBe(false);
  });

  it("reads secure with Go's boolean spellings, as Kratos (koanf Bool, strconv.ParseBool)", () => {
    for (const value of ['1', 't', 'T', 'TRUE', 'true', 'True']) {
      const config = sessionConfig(
        doc({ session: { cookie: { secure: value } }, cookies: { secure: value } }),
        true,
      );
      expect([value, config.cookie.secure, config.csrfCookie.secure]).toEqual([value, true, true]);
    }
    for (const value of ['0', 'f', 'F', 'FALSE', 'false', 'False']) {
      const config = sessionConfig(
        doc({ session: { cookie: { secure: value } }, cookies: { secure: value } }),
        false,
      );
      expect([value, config.cookie.secure, config.csrfCookie.secure]).toEqual([value, false, false]);
    }
  });

  it('refuses any other spelling at load (Kratos would take "yes" as false), and stays Secure if asked anyway', () => {
    expect(
      cookieSecureIssues(doc({ session: { cookie: { secure: 'true' } }, cookies: { secure: '0' } })),
    ).toEqual([]);
    expect(
      cookieSecureIssues(doc({ session: { cookie: { secure: 'yes' } }, cookies: { secure: 'on' } })),
    ).toEqual([
      { path: 'session.cookie.secure', message: expect.stringContaining('"yes" is not a boolean') },
      { path: 'cookies.secure', message: expect.stringContaining('"on" is not a boolean') },
    ]);
    expect(sessionConfig(doc({ cookies: { secure: 'yes' } }), true).csrfCookie.secure).toBe(true);
  });
});
