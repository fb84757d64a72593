import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../types.js';
import { sessionConfig } from './session.js';

const doc = (extra: Record<string, unknown>) => extra as unknown as KratosConfigDocument;

describe('sessionConfig', () => {
  it('defaults as Kratos: 24h, ory_kratos_session, Lax, persistent, Secure unless dev', () => {
    expect(sessionConfig(doc({}), false)).toEqual({
      lifespanMs: 86_400_000,
      earliestPossibleExtendMs: undefined,
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
      }),
      false,
    );
    expect(config).toEqual({
      lifespanMs: 5_400_000,
      earliestPossibleExtendMs: 900_000,
      cookie: {
        name: 'sid',
        domain: 'app.test',
        path: '/auth',
        sameSite: 'Strict',
        persistent: false,
        secure: false,
      },
      // session.cookie.* never reaches the CSRF cookie.
      csrfCookie: { domain: 'other.test', path: '/auth', sameSite: 'Strict', secure: false },
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
});
