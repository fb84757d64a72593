import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwoTierCache, type TwoTierCache } from '../cache/index.js';
import { IdentityDisabledError, IdentityErrorId } from '../identity/errors.js';
import type { Identity } from '../identity/model.js';
import type { Database } from '../persistence/database.js';
import { createIdentityStore } from '../persistence/identity-store.js';
import { createSessionStore } from '../persistence/session-store.js';
import { testEngines } from '../persistence/testing/engines.js';
import { identityFixture } from '../persistence/testing/identity-fixtures.js';
import { type CachedIdentity, type CachedSession, createSessionManager } from './manager.js';
import type { CacheNamespace } from './ports.js';

const OLD = 'old-secret-0123456789abcdef';
const NEW = 'new-secret-0123456789abcdef';

describe.each(testEngines())('session manager ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let cache: TwoTierCache;
  let identity: Identity;

  beforeAll(async () => {
    database = await engine.open();
    cache = await createTwoTierCache({});
    identity = identityFixture('rotation@example.com');
    namespaces = {
      sessions: cache.namespace<CachedSession>('sessions', { maxEntries: 100, localTtlMs: 60_000 }),
      identities: cache.namespace<CachedIdentity>('identities', { maxEntries: 100, localTtlMs: 60_000 }),
    };
    await createIdentityStore(database.db).create(identity);
  });
  afterAll(async () => {
    await cache.close();
    await database.drop();
  });

  // Two managers over one cache: the same process before and after a rotation of secrets.
  let namespaces: { sessions: CacheNamespace<CachedSession>; identities: CacheNamespace<CachedIdentity> };
  const manager = (tokenKeys: string[]) =>
    createSessionManager({
      sessions: createSessionStore(database.db),
      identities: createIdentityStore(database.db),
      tokenKeys,
      config: { lifespanMs: 3_600_000, earliestPossibleExtendMs: undefined },
      schemaUrl: () => 'http://127.0.0.1/schemas/x',
      cache: namespaces,
    });

  it('revokes a cached session after secrets.default was rotated', async () => {
    const before = manager([OLD]);
    const { token, session } = await before.issue(identity, {
      methods: [{ method: 'password', aal: 'aal1', completed_at: new Date() }],
      aal: 'aal1',
      device: { ipAddress: null, userAgent: null },
    });
    const after = manager([NEW, OLD]);
    expect(await after.authenticate(token)).toBeDefined();
    expect(await after.authenticate(token)).toBeDefined();
    expect(await after.revoke(session.id)).toBe(true);
    expect(await after.authenticate(token)).toBeUndefined();
  });

  it('derives the logout token under the key the session was issued with, for that token only', async () => {
    const before = manager([OLD]);
    const { token, session, logoutToken } = await before.issue(identity, {
      methods: [{ method: 'password', aal: 'aal1', completed_at: new Date() }],
      aal: 'aal1',
      device: { ipAddress: null, userAgent: null },
    });
    const after = manager([NEW, OLD]);
    expect(after.logoutTokenFor(token, session)).toBe(logoutToken);
    expect(after.logoutTokenFor('ory_st_someone-else', session)).toBeUndefined();
  });

  it('answers from memory only what authenticate answers, and stops once the session is revoked', async () => {
    const sessions = manager([NEW]);
    const { token, session } = await sessions.issue(identity, {
      methods: [{ method: 'password', aal: 'aal1', completed_at: new Date() }],
      aal: 'aal1',
      device: { ipAddress: null, userAgent: null },
    });
    // Nothing cached yet: memory does not know, which is not a refusal.
    expect(sessions.authenticateFromMemory(token)).toBeUndefined();
    const authenticated = await sessions.authenticate(token);
    expect(authenticated).toBeDefined();
    expect(sessions.authenticateFromMemory(token)).toEqual(authenticated);
    // The same body either way, built once.
    const body = sessions.whoamiBody(authenticated!);
    expect(sessions.whoamiBody(sessions.authenticateFromMemory(token)!)).toBe(body);
    expect(JSON.parse(body)).toEqual(sessions.whoamiJson(authenticated!));

    expect(sessions.authenticateFromMemory(`${token}x`)).toBeUndefined();
    expect(sessions.authenticateFromMemory('not-a-token')).toBeUndefined();

    expect(await sessions.revoke(session.id)).toBe(true);
    expect(sessions.authenticateFromMemory(token)).toBeUndefined();
    expect(await sessions.authenticate(token)).toBeUndefined();
  });

  it('never answers from memory for a session that expired while cached', async () => {
    let clock = new Date();
    const sessions = createSessionManager({
      sessions: createSessionStore(database.db),
      identities: createIdentityStore(database.db),
      tokenKeys: [NEW],
      config: { lifespanMs: 60_000, earliestPossibleExtendMs: undefined },
      schemaUrl: () => 'http://127.0.0.1/schemas/x',
      cache: namespaces,
      now: () => clock,
    });
    const { token } = await sessions.issue(identity, {
      methods: [{ method: 'password', aal: 'aal1', completed_at: clock }],
      aal: 'aal1',
      device: { ipAddress: null, userAgent: null },
    });
    expect(await sessions.authenticate(token)).toBeDefined();
    expect(sessions.authenticateFromMemory(token)).toBeDefined();
    clock = new Date(clock.getTime() + 61_000);
    expect(sessions.authenticateFromMemory(token)).toBeUndefined();
    expect(await sessions.authenticate(token)).toBeUndefined();
  });
  it('stores nothing when beforeWrite refuses: not a new session, not a refresh', async () => {
    const sessions = manager([NEW]);
    const input = {
      methods: [{ method: 'password' as const, aal: 'aal1' as const, completed_at: new Date() }],
      aal: 'aal1' as const,
      device: { ipAddress: null, userAgent: null },
    };
    const refusal = new Error('a hook said no');
    let seen: string | undefined;
    await expect(
      sessions.issue(identity, input, async (draft) => {
        seen = draft.token;
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(seen).toMatch(/^ory_st_/);
    expect(await sessions.authenticate(seen ?? '')).toBeUndefined();

    const { token, session } = await sessions.issue(identity, input);
    const later = { ...input, methods: [{ ...input.methods[0]!, method: 'oidc' as const }] };
    await expect(
      sessions.reauthenticate(token, later, async (draft) => {
        expect(draft.session.id).toBe(session.id);
        expect(draft.session.authentication_methods.map((m) => m.method)).toEqual(['password', 'oidc']);
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    const stored = await sessions.get(session.id);
    expect(stored?.authentication_methods.map((m) => m.method)).toEqual(['password']);
  });

  // The concurrency review's finding 2: a sign-in that read the identity before an admin
  // deactivated it must not leave a session behind the deactivation's revocation.
  describe('a sign-in racing a deactivation', () => {
    const input = {
      methods: [{ method: 'password' as const, aal: 'aal1' as const, completed_at: new Date() }],
      aal: 'aal1' as const,
      device: { ipAddress: null, userAgent: null },
    };

    /** Stores the identity with `state`, as an admin write does (the sessions are not told here). */
    async function setState(id: string, state: Identity['state']): Promise<Identity> {
      const store = createIdentityStore(database.db);
      const stored = await store.get(id);
      if (!stored) throw new Error('gone');
      const next = { ...stored, state };
      expect(await store.update(next)).toBe('updated');
      return next;
    }

    it('revokes a session issued while the identity was deactivated, which stays refused after reactivation', async () => {
      const person = identityFixture('deactivated-during-login@example.com');
      await createIdentityStore(database.db).create(person);
      const sessions = manager([NEW]);
      let draft: { token: string; sessionId: string } | undefined;
      // The login hooks run before the session is stored: the admin deactivates meanwhile, and
      // the deactivation ends the sessions that exist by then (identityChanged).
      const error = await sessions
        .issue(person, input, async (issued) => {
          draft = { token: issued.token, sessionId: issued.session.id };
          await sessions.identityChanged(person.id, await setState(person.id, 'inactive'));
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdentityDisabledError);
      expect(error).toMatchObject({ identityErrorId: IdentityErrorId.disabled, code: 401 });
      expect((await sessions.get(draft?.sessionId ?? ''))?.active).toBe(false);
      // Reactivated, the identity's sessions from before stay ended, this one included.
      await sessions.identityChanged(person.id, await setState(person.id, 'active'));
      expect(await sessions.authenticate(draft?.token ?? '')).toBeUndefined();
      // A sign-in now gets a session as always.
      const { token } = await sessions.issue(person, input);
      expect(await sessions.authenticate(token)).toBeDefined();
    });

    it('revokes a refreshed session whose identity was deactivated before the refresh was stored', async () => {
      const person = identityFixture('deactivated-during-refresh@example.com');
      await createIdentityStore(database.db).create(person);
      const sessions = manager([NEW]);
      const { token, session } = await sessions.issue(person, input);
      // The admin's state write has landed; its revocation of the sessions has not run yet.
      await expect(
        sessions.reauthenticate(token, input, async () => {
          await setState(person.id, 'inactive');
        }),
      ).rejects.toBeInstanceOf(IdentityDisabledError);
      expect((await sessions.get(session.id))?.active).toBe(false);
      await setState(person.id, 'active');
      expect(await sessions.authenticate(token)).toBeUndefined();
    });
  });
});
