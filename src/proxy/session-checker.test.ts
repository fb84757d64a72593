import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwoTierCache, type TwoTierCache } from '../cache/index.js';
import type { Identity } from '../identity/model.js';
import type { Database } from '../persistence/database.js';
import { createIdentityStore } from '../persistence/identity-store.js';
import { createSessionStore } from '../persistence/session-store.js';
import { testEngines } from '../persistence/testing/engines.js';
import { identityFixture } from '../persistence/testing/identity-fixtures.js';
import { encodeSessionCookie } from '../session/cookie.js';
import {
  type CachedIdentity,
  type CachedSession,
  createSessionManager,
  type SessionManager,
} from '../session/manager.js';
import type { SessionChecker, SessionCheckResult } from './pipeline/index.js';
import { inProcessSessionChecker } from './session-checker.js';

const COOKIE = 'ory_kratos_session';
const COOKIE_KEYS = ['cookie-secret-0123456789abcdef'];
const PUBLIC = 'http://127.0.0.1:4433/';

describe.each(testEngines())('in-process session checker ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let cache: TwoTierCache;
  let sessions: SessionManager;
  let identity: Identity;

  beforeAll(async () => {
    database = await engine.open();
    cache = await createTwoTierCache({});
    identity = identityFixture('checker@example.com');
    await createIdentityStore(database.db).create(identity);
    sessions = createSessionManager({
      sessions: createSessionStore(database.db),
      identities: createIdentityStore(database.db),
      tokenKeys: ['token-secret-0123456789abcdef'],
      config: { lifespanMs: 3_600_000, earliestPossibleExtendMs: undefined },
      schemaUrl: () => 'http://127.0.0.1/schemas/x',
      cache: {
        sessions: cache.namespace<CachedSession>('sessions', { maxEntries: 100, localTtlMs: 60_000 }),
        identities: cache.namespace<CachedIdentity>('identities', { maxEntries: 100, localTtlMs: 60_000 }),
      },
    });
  });
  afterAll(async () => {
    await cache.close();
    await database.drop();
  });

  const issue = () =>
    sessions.issue(identity, {
      methods: [{ method: 'password', aal: 'aal1', completed_at: new Date() }],
      aal: 'aal1',
      device: { ipAddress: null, userAgent: null },
    });
  const checker = (verifiedCookies?: number): SessionChecker =>
    inProcessSessionChecker({
      sessions,
      publicBaseUrl: PUBLIC,
      cookieName: COOKIE,
      cookieKeys: COOKIE_KEYS,
      ...(verifiedCookies !== undefined ? { verifiedCookies } : {}),
    });
  const cookieHeader = (token: string) => `csrf=x; ${COOKIE}=${encodeSessionCookie(token, COOKIE_KEYS)}`;
  const byHeaders = async (
    c: SessionChecker,
    headers: Record<string, string>,
  ): Promise<SessionCheckResult> => {
    if (c.checkHeaders === undefined) throw new Error('the in-process checker reads headers alone');
    return c.checkHeaders(headers);
  };
  const bodyOf = (result: SessionCheckResult): unknown => (result.kind === 'ok' ? result.body : result);

  it('serves its own whoami URL only', () => {
    const c = checker();
    expect(c.handles(new URL(`${PUBLIC}sessions/whoami`))).toBe(true);
    expect(c.handles(new URL(`${PUBLIC}sessions/whoami/?x=1`))).toBe(true);
    expect(c.handles(new URL('http://127.0.0.1:4434/sessions/whoami'))).toBe(false);
  });

  it("answers whoami's JSON for the token in X-Session-Token, Authorization or the signed cookie", async () => {
    const { token, session } = await issue();
    const c = checker();
    const expected = sessions.whoamiJson((await sessions.authenticate(token))!);
    const ways: Array<Record<string, string>> = [
      { 'x-session-token': token },
      { authorization: `Bearer ${token}` },
      { cookie: cookieHeader(token) },
    ];
    for (const headers of ways) {
      const result = await byHeaders(c, headers);
      expect(result).toMatchObject({ kind: 'ok', shared: true });
      expect(bodyOf(result)).toEqual(expected);
      expect(bodyOf(result)).toMatchObject({ id: session.id, identity: { id: identity.id } });
    }
    // check() answers the same from a whole request: whoami reads the token alone.
    expect(
      bodyOf(
        await c.check({
          method: 'GET',
          url: new URL(`${PUBLIC}sessions/whoami`),
          headers: { cookie: cookieHeader(token) },
        }),
      ),
    ).toEqual(expected);
  });

  it('reads the cookie before a bearer token, and the bearer when no cookie opens, as whoami', async () => {
    const first = await issue();
    const second = await issue();
    const c = checker();
    const idOf = async (headers: Record<string, string>) =>
      (bodyOf(await byHeaders(c, headers)) as { id?: string }).id;
    expect(await idOf({ cookie: cookieHeader(first.token), authorization: 'Bearer gateway.jwt' })).toBe(
      first.session.id,
    );
    expect(await idOf({ cookie: cookieHeader(first.token), authorization: `Bearer ${second.token}` })).toBe(
      first.session.id,
    );
    expect(await idOf({ cookie: `${COOKIE}=forged`, authorization: `Bearer ${second.token}` })).toBe(
      second.session.id,
    );
  });

  it('refuses no token, an unsigned cookie and a forged signature, however often asked', async () => {
    const { token } = await issue();
    const c = checker();
    const signed = encodeSessionCookie(token, COOKIE_KEYS);
    const forged = `${token}.${'A'.repeat(signed.length - token.length - 1)}`;
    for (let i = 0; i < 2; i++) {
      expect(await byHeaders(c, {})).toEqual({ kind: 'rejected', status: 401 });
      expect(await byHeaders(c, { cookie: `${COOKIE}=${token}` })).toEqual({ kind: 'rejected', status: 401 });
      expect(await byHeaders(c, { cookie: `${COOKIE}=${forged}` })).toEqual({
        kind: 'rejected',
        status: 401,
      });
      expect(await byHeaders(c, { cookie: `other=${signed}` })).toEqual({ kind: 'rejected', status: 401 });
    }
    // Under other cookie keys the same cookie is not ours.
    const stranger = inProcessSessionChecker({
      sessions,
      publicBaseUrl: PUBLIC,
      cookieName: COOKIE,
      cookieKeys: ['other-secret-0123456789'],
    });
    expect(await byHeaders(c, { cookie: `${COOKIE}=${signed}` })).toMatchObject({ kind: 'ok' });
    expect(await byHeaders(stranger, { cookie: `${COOKIE}=${signed}` })).toEqual({
      kind: 'rejected',
      status: 401,
    });
  });

  it('answers the same object while the session is unchanged, another once it changed, none once revoked', async () => {
    const { token, session } = await issue();
    const c = checker();
    const headers = { cookie: cookieHeader(token) };
    const first = bodyOf(await byHeaders(c, headers));
    expect(bodyOf(await byHeaders(c, headers))).toBe(first);

    // The identity was updated: its cache entry is dropped and read again, so is the answer.
    await sessions.identityChanged(identity.id, identity);
    const second = bodyOf(await byHeaders(c, headers));
    expect(second).not.toBe(first);
    expect(second).toEqual(first);

    expect(await sessions.revoke(session.id)).toBe(true);
    expect(await byHeaders(c, headers)).toEqual({ kind: 'rejected', status: 401 });
  });

  it('keeps answering right past its bound of remembered cookies', async () => {
    const [one, two] = [await issue(), await issue()];
    const c = checker(1);
    for (let i = 0; i < 3; i++) {
      expect(bodyOf(await byHeaders(c, { cookie: cookieHeader(one.token) }))).toMatchObject({
        id: one.session.id,
      });
      expect(bodyOf(await byHeaders(c, { cookie: cookieHeader(two.token) }))).toMatchObject({
        id: two.session.id,
      });
    }
  });
});
