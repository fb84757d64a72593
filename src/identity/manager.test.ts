/**
 * The identity manager's optimistic writes (the concurrency review's finding 1): another write
 * that lands between a write's read and its store is never undone; the write re-reads and
 * re-applies its change, and gives up with a 409 when that keeps happening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHashing } from '../hash/index.js';
import { createAddressStore } from '../persistence/address-store.js';
import type { Database } from '../persistence/database.js';
import { createIdentityStore, type IdentityStore } from '../persistence/identity-store.js';
import { testEngines } from '../persistence/testing/engines.js';
import { IdentityChangedConcurrentlyError } from './errors.js';
import {
  createIdentityManager,
  type IdentityChange,
  type IdentityManager,
  WRITE_ATTEMPTS,
} from './manager.js';
import type { Identity } from './model.js';
import type { PasswordHashing } from './ports.js';
import { createSchemaRegistry, DEFAULT_SCHEMA_ID, DEFAULT_SCHEMAS } from './schema/index.js';

const hashing = createPasswordHashing({ algorithm: 'bcrypt', bcrypt: { cost: 4 } });

/** A store that lets `meanwhile` write (as another request would) just before each update it is asked for. */
function interleaved(
  store: IdentityStore,
  meanwhile: (attempt: number) => Promise<void>,
): IdentityStore & {
  attempts: number;
} {
  const wrapped = {
    ...store,
    attempts: 0,
    async update(identity: Identity) {
      wrapped.attempts++;
      await meanwhile(wrapped.attempts);
      return store.update(identity);
    },
  };
  return wrapped;
}

/** A settings-style change: the stored identity as a body (as settings' currentIdentityBody), with `credentials`. */
const withCredentials =
  (credentials: NonNullable<ReturnType<IdentityChange>['credentials']>): IdentityChange =>
  (current) => ({
    schema_id: current.schema_id,
    traits: current.traits,
    state: current.state,
    ...(current.metadata_public === null ? {} : { metadata_public: current.metadata_public }),
    ...(current.metadata_admin === null ? {} : { metadata_admin: current.metadata_admin }),
    credentials,
  });

describe.each(testEngines())('identity manager writes ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let raw: IdentityStore;
  let schemas: Awaited<ReturnType<typeof createSchemaRegistry>>;
  const changed: { id: string; state: string | undefined }[] = [];

  beforeAll(async () => {
    database = await engine.open();
    raw = createIdentityStore(database.db);
    schemas = await createSchemaRegistry(DEFAULT_SCHEMAS, DEFAULT_SCHEMA_ID);
  });
  afterAll(async () => {
    await database?.drop();
  });

  function manager(store: IdentityStore = raw, hasher: PasswordHashing = hashing): IdentityManager {
    return createIdentityManager({
      store,
      schemas: {
        defaultId: DEFAULT_SCHEMA_ID,
        schemaUrl: (id) => `http://127.0.0.1:4433/schemas/${id}`,
        validate: (id, traits) => schemas.get(id)?.validate(traits),
      },
      hashing: hasher,
      onChanged: async (id, identity) => {
        changed.push({ id, state: identity?.state });
      },
    });
  }

  /** Another request, on the plain store. */
  const other = () => manager();

  async function newIdentity(email: string): Promise<Identity> {
    return other().create({
      schema_id: 'default',
      traits: { email },
      credentials: { password: { config: { password: 'the first passphrase' } } },
    });
  }

  async function passwordIs(id: string, password: string): Promise<boolean> {
    const hash = (await raw.get(id))?.credentials.password?.config.hashed_password;
    return typeof hash === 'string' && (await hashing.verify(password, hash)).ok;
  }

  it('a PATCH applied while an admin deactivates the identity keeps it inactive, and patches it', async () => {
    const { id } = await newIdentity('patch-vs-deactivate@example.com');
    const store = interleaved(raw, async (attempt) => {
      if (attempt === 1) await other().patch(id, [{ op: 'replace', path: '/state', value: 'inactive' }]);
    });
    const patched = await manager(store).patch(id, [
      { op: 'add', path: '/metadata_public', value: { plan: 'pro' } },
    ]);
    expect(store.attempts).toBe(2);
    expect(patched).toMatchObject({ state: 'inactive', metadata_public: { plan: 'pro' }, version: 2 });
    expect(await raw.get(id)).toEqual(patched);
    // The sessions hear of the identity as stored: inactive, so they end.
    expect(changed.at(-1)).toEqual({ id, state: 'inactive' });
  });

  it('an admin PATCH never puts back the password the owner changed meanwhile (review run c)', async () => {
    const { id } = await newIdentity('patch-vs-password@example.com');
    const store = interleaved(raw, async (attempt) => {
      if (attempt === 1) {
        await other().update(
          id,
          withCredentials({ password: { config: { password: 'the new passphrase' } } }),
        );
      }
    });
    await manager(store).patch(id, [{ op: 'add', path: '/metadata_admin', value: { synced: true } }]);
    expect(await passwordIs(id, 'the new passphrase')).toBe(true);
    expect(await passwordIs(id, 'the first passphrase')).toBe(false);
    expect((await raw.get(id))?.metadata_admin).toEqual({ synced: true });
  });

  it('a self-service change re-applied after a conflict keeps what the other write did', async () => {
    const { id } = await newIdentity('settings-vs-metadata@example.com');
    const store = interleaved(raw, async (attempt) => {
      if (attempt === 1)
        await other().patch(id, [{ op: 'add', path: '/metadata_admin', value: { tier: 2 } }]);
    });
    const saved = await manager(store).update(
      id,
      withCredentials({ password: { config: { password: 'the new passphrase' } } }),
    );
    expect(saved.metadata_admin).toEqual({ tier: 2 });
    expect(await passwordIs(id, 'the new passphrase')).toBe(true);
  });

  it('a PUT takes credentials and addresses from the identity as stored: a verification made meanwhile stays', async () => {
    const email = 'put-vs-verification@example.com';
    const { id } = await newIdentity(email);
    const addresses = createAddressStore(database.db);
    const store = interleaved(raw, async (attempt) => {
      if (attempt === 1) expect(await addresses.markVerified(id, email, new Date())).toBe(true);
    });
    const replaced = await manager(store).replace(id, {
      schema_id: 'default',
      traits: { email },
      state: 'active',
      metadata_public: { put: true },
    });
    expect(store.attempts).toBe(2);
    expect(replaced.verifiable_addresses[0]).toMatchObject({ verified: true, status: 'completed' });
    expect((await raw.get(id))?.verifiable_addresses[0]?.verified).toBe(true);
    expect(await passwordIs(id, 'the first passphrase')).toBe(true);
  });

  it(`gives up after ${WRITE_ATTEMPTS} conflicts with a 409 in Kratos's shape, having written nothing`, async () => {
    const { id } = await newIdentity('always-conflicting@example.com');
    const store = interleaved(raw, async (attempt) => {
      await other().patch(id, [{ op: 'add', path: '/metadata_admin', value: { round: attempt } }]);
    });
    const error = await manager(store)
      .update(id, (current) => ({
        ...withCredentials({})(current),
        traits: { email: 'renamed@example.com' },
      }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityChangedConcurrentlyError);
    expect(store.attempts).toBe(WRITE_ATTEMPTS);
    expect((error as IdentityChangedConcurrentlyError).toJSON()).toEqual({
      error: {
        code: 409,
        status: 'Conflict',
        message: 'The resource could not be created due to a conflict',
        reason: expect.stringContaining('changed by other requests'),
      },
    });
    const stored = await raw.get(id);
    expect(stored?.traits).toEqual({ email: 'always-conflicting@example.com' });
    expect(stored?.metadata_admin).toEqual({ round: WRITE_ATTEMPTS });
  });

  it('hashes a new password once, however many attempts the write takes', async () => {
    const { id } = await newIdentity('hash-once@example.com');
    let hashes = 0;
    const counting: PasswordHashing = {
      hash: (password) => {
        hashes++;
        return hashing.hash(password);
      },
      isSupportedHash: (encoded) => hashing.isSupportedHash(encoded),
    };
    const store = interleaved(raw, async (attempt) => {
      if (attempt < 3) await other().patch(id, [{ op: 'add', path: '/metadata_public', value: attempt }]);
    });
    await manager(store, counting).update(
      id,
      withCredentials({ password: { config: { password: 'hashed only once' } } }),
    );
    expect(store.attempts).toBe(3);
    expect(hashes).toBe(1);
    expect(await passwordIs(id, 'hashed only once')).toBe(true);
  });

  it("re-checks a credential deletion on the fresh identity: never the identity's last way in", async () => {
    const created = await other().create({
      schema_id: 'default',
      traits: { email: 'last-factor@example.com' },
      credentials: {
        password: { config: { password: 'the first passphrase' } },
        oidc: { config: { providers: [{ provider: 'google', subject: 'g-last' }] } },
      },
    });
    const store = interleaved(raw, async (attempt) => {
      if (attempt === 1) await other().deleteCredential(created.id, 'password');
    });
    await expect(manager(store).deleteCredential(created.id, 'oidc', 'google:g-last')).rejects.toMatchObject({
      code: 400,
      reason: 'You cannot remove the last first factor credential.',
    });
    expect((await raw.get(created.id))?.credentials.oidc?.identifiers).toEqual(['google:g-last']);
  });

  it('answers 404 when the identity was deleted between the read and the write', async () => {
    const { id } = await newIdentity('deleted-meanwhile@example.com');
    const store = interleaved(raw, async () => {
      await raw.delete(id);
    });
    await expect(
      manager(store).patch(id, [{ op: 'add', path: '/metadata_public', value: 1 }]),
    ).rejects.toMatchObject({ code: 404 });
  });
});
