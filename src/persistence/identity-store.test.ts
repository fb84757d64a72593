import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../identity/model.js';
import { AppError } from '../kernel/errors.js';
import { createAddressStore } from './address-store.js';
import type { Database } from './database.js';
import { createIdentityStore, type IdentityStore } from './identity-store.js';
import { testEngines } from './testing/engines.js';
import { identityFixture } from './testing/identity-fixtures.js';

describe.each(testEngines())('identity store contract ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let store: IdentityStore;

  beforeAll(async () => {
    database = await engine.open();
    store = createIdentityStore(database.db);
  });
  afterAll(async () => {
    await database.drop();
  });

  /** `identity` as the store gives it back at `version`. */
  const at = (identity: Identity, version: number): Identity => ({ ...identity, version });

  it('stores and loads the whole aggregate, at version 0', async () => {
    const identity = identityFixture('ada@example.com');
    await store.create(identity);
    expect(await store.get(identity.id)).toEqual(at(identity, 0));
  });

  it('returns undefined for unknown and malformed ids', async () => {
    expect(await store.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await store.get('not-a-uuid')).toBeUndefined();
  });

  it('refuses a second identity with the same password identifier, leaving nothing behind', async () => {
    const first = identityFixture('taken@example.com');
    await store.create(first);
    const second = identityFixture('taken@example.com');
    const error = await store.create(second).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(409);
    expect(await store.get(second.id)).toBeUndefined();
  });

  it('refuses a duplicate external id', async () => {
    await store.create(identityFixture('ext1@example.com', { external_id: 'ext-1' }));
    const error = await store
      .create(identityFixture('ext2@example.com', { external_id: 'ext-1' }))
      .catch((e) => e);
    expect((error as AppError).code).toBe(409);
  });

  it('finds an identity by its external id, exactly, with the whole aggregate', async () => {
    const identity = identityFixture('external@example.com', { external_id: 'crm-42' });
    await store.create(identity);
    await store.create(identityFixture('no-external@example.com'));
    expect(await store.findByExternalId('crm-42')).toEqual(at(identity, 0));
    expect(await store.findByExternalId('CRM-42')).toBeUndefined();
    expect(await store.findByExternalId('crm-4')).toBeUndefined();
    expect(await store.findByExternalId('')).toBeUndefined();
    // The lookup follows changes: a new external id is found, the old one no longer.
    const moved = { ...identity, external_id: 'crm-43', version: 0 };
    expect(await store.update(moved)).toBe('updated');
    expect((await store.findByExternalId('crm-43'))?.id).toBe(identity.id);
    expect(await store.findByExternalId('crm-42')).toBeUndefined();
  });

  it('finds an identity by credential identifier and type', async () => {
    const identity = identityFixture('find@example.com');
    await store.create(identity);
    expect((await store.findByCredentialIdentifier('password', 'find@example.com'))?.id).toBe(identity.id);
    expect(await store.findByCredentialIdentifier('oidc', 'find@example.com')).toBeUndefined();
    expect(await store.findByCredentialIdentifier('password', 'nobody@example.com')).toBeUndefined();
  });

  it('replaces traits, credentials and addresses on update, moving to the next version', async () => {
    const identity = identityFixture('before@example.com');
    await store.create(identity);
    const changed = identityFixture('after@example.com', {
      id: identity.id,
      created_at: identity.created_at,
      metadata_admin: { note: 'vip' },
      state: 'inactive',
      version: 0,
    });
    expect(await store.update(changed)).toBe('updated');
    expect(await store.get(identity.id)).toEqual(at(changed, 1));
    // The old identifier is free again.
    await store.create(identityFixture('before@example.com'));
  });

  it('keeps the stored identity when an update conflicts', async () => {
    const a = identityFixture('keep-a@example.com');
    const b = identityFixture('keep-b@example.com');
    await store.create(a);
    await store.create(b);
    const clash = identityFixture('keep-a@example.com', { id: b.id, created_at: b.created_at, version: 0 });
    await expect(store.update(clash)).rejects.toMatchObject({ code: 409 });
    expect(await store.get(b.id)).toEqual(at(b, 0));
  });

  // The concurrency review's finding 1: every write is conditional on the version it read.

  it('refuses the second of two updates made from the same read, keeping the first', async () => {
    const identity = identityFixture('race@example.com');
    await store.create(identity);
    const read = await store.get(identity.id);
    if (!read) throw new Error('not stored');
    const deactivated = { ...read, state: 'inactive' as const };
    const renamed = { ...read, traits: { ...read.traits, fullname: 'Ada King' } };
    expect(await store.update(deactivated)).toBe('updated');
    expect(await store.update(renamed)).toBe('stale');
    expect(await store.get(identity.id)).toEqual(at(deactivated, 1));
    // Read again, the change applies.
    expect(await store.update({ ...renamed, state: 'inactive', version: 1 })).toBe('updated');
    expect((await store.get(identity.id))?.traits.fullname).toBe('Ada King');
  });

  it('refuses an update of an identity never read from the store (no version), and reports a missing one', async () => {
    const identity = identityFixture('unread@example.com');
    await store.create(identity);
    expect(await store.update({ ...identity, state: 'inactive' })).toBe('stale');
    expect((await store.get(identity.id))?.state).toBe('active');
    expect(await store.update(at(identityFixture('ghost@example.com'), 0))).toBe('missing');
  });

  it('never erases a verification made between a read and an update (address store, version trigger)', async () => {
    const addresses = createAddressStore(database.db);
    const identity = identityFixture('verified-meanwhile@example.com');
    await store.create(identity);
    const read = await store.get(identity.id);
    if (!read) throw new Error('not stored');
    const when = new Date('2026-11-25T10:00:00Z');
    expect(await addresses.markVerified(identity.id, 'verified-meanwhile@example.com', when)).toBe(true);
    // A password change built from the read: it would put the unverified address back.
    const rehashed = {
      ...read,
      credentials: {
        ...read.credentials,
        password: { ...(read.credentials.password ?? fail()), config: { hashed_password: 'other' } },
      },
    };
    expect(await store.update(rehashed)).toBe('stale');
    const stored = await store.get(identity.id);
    expect(stored?.verifiable_addresses[0]).toMatchObject({ verified: true, status: 'completed' });
    expect(stored?.version).toBe(1);
    // markSent moves the version on too (a cached read is stale after it).
    const other = identityFixture('sent-meanwhile@example.com');
    await store.create(other);
    await addresses.markSent(database.db, other.id, 'sent-meanwhile@example.com', when);
    expect(await store.update(at(other, 0))).toBe('stale');
    expect((await store.get(other.id))?.verifiable_addresses[0]?.status).toBe('sent');
  });

  it('tells whether an identity is active, as stored now', async () => {
    const identity = identityFixture('active-check@example.com');
    await store.create(identity);
    expect(await store.isActive(identity.id)).toBe(true);
    expect(await store.update({ ...identity, state: 'inactive', version: 0 })).toBe('updated');
    expect(await store.isActive(identity.id)).toBe(false);
    expect(await store.isActive('00000000-0000-4000-8000-000000000000')).toBe(false);
    expect(await store.isActive('not-a-uuid')).toBe(false);
  });

  it('lets exactly one of many concurrent updates from one read through', async () => {
    const identity = identityFixture('many-writers@example.com');
    await store.create(identity);
    const read = await store.get(identity.id);
    if (!read) throw new Error('not stored');
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.update({ ...read, metadata_public: { writer: i } })),
    );
    expect(outcomes.filter((o) => o === 'updated')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'stale')).toHaveLength(7);
    const winner = outcomes.indexOf('updated');
    expect(await store.get(identity.id)).toEqual(at({ ...read, metadata_public: { writer: winner } }, 1));
  });

  it('never deadlocks, nor loses the verification, when updates, verifications and deletes race', async () => {
    const addresses = createAddressStore(database.db);
    const when = new Date('2026-11-25T10:00:00Z');
    const identities = Array.from({ length: 12 }, (_, i) => identityFixture(`lock-order-${i}@example.com`));
    for (const identity of identities) await store.create(identity);
    await Promise.all(
      identities.map(async (identity, i) => {
        const email = `lock-order-${i}@example.com`;
        const read = at(identity, 0);
        const racing: Promise<unknown>[] = [
          addresses.markVerified(identity.id, email, when),
          store.update({ ...read, metadata_admin: { touched: true } }),
          store.updateCredentialConfig(identity.id, 'password', { hashed_password: `h${i}` }, when),
        ];
        if (i % 3 === 0) racing.push(store.delete(identity.id));
        await Promise.all(racing);
      }),
    );
    for (const [i, identity] of identities.entries()) {
      const stored = await store.get(identity.id);
      if (i % 3 === 0 && stored === undefined) continue;
      expect(stored?.verifiable_addresses[0]?.verified).toBe(true);
    }
  });

  it('replaces one credential config without touching the rest of the identity (but its version)', async () => {
    const identity = identityFixture('rehash@example.com');
    await store.create(identity);
    const when = new Date(identity.updated_at.getTime() + 60_000);
    expect(
      await store.updateCredentialConfig(identity.id, 'password', { hashed_password: 'new-hash' }, when),
    ).toBe(true);
    const stored = await store.get(identity.id);
    expect(stored?.credentials.password?.config).toEqual({ hashed_password: 'new-hash' });
    expect(stored?.credentials.password?.updated_at).toEqual(when);
    expect(stored?.credentials.password?.identifiers).toEqual(['rehash@example.com']);
    expect({ ...stored, credentials: {} }).toEqual({ ...at(identity, 1), credentials: {} });
    expect(await store.updateCredentialConfig(identity.id, 'oidc', {}, when)).toBe(false);
  });

  it('re-hashes only while the identity is at the version read: never over a password changed meanwhile', async () => {
    const identity = identityFixture('rehash-race@example.com');
    await store.create(identity);
    const when = new Date(identity.updated_at.getTime() + 60_000);
    const changed = {
      ...at(identity, 0),
      credentials: {
        password: { ...(identity.credentials.password ?? fail()), config: { hashed_password: 'changed' } },
      },
    };
    expect(await store.update(changed)).toBe('updated');
    const rehash = { hashed_password: 'rehash-of-the-old-password' };
    expect(await store.updateCredentialConfig(identity.id, 'password', rehash, when, 0)).toBe(false);
    expect((await store.get(identity.id))?.credentials.password?.config).toEqual({
      hashed_password: 'changed',
    });
    expect(await store.updateCredentialConfig(identity.id, 'password', rehash, when, 1)).toBe(true);
    expect(await store.get(identity.id)).toMatchObject({
      version: 2,
      credentials: { password: { config: rehash } },
    });
  });

  it('deletes an identity with everything it owns', async () => {
    const identity = identityFixture('gone@example.com');
    await store.create(identity);
    expect(await store.delete(identity.id)).toBe(true);
    expect(await store.get(identity.id)).toBeUndefined();
    expect(await store.delete(identity.id)).toBe(false);
    await store.create(identityFixture('gone@example.com'));
  });

  it('pages through identities with keyset tokens, each exactly once', async () => {
    const created = [];
    for (let i = 0; i < 7; i++) {
      const identity = identityFixture(`page-${i}@paging.test`);
      await store.create(identity);
      created.push(identity.id);
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await store.list({ pageSize: 3, pageToken: token, ids: created });
      seen.push(...page.identities.map((i) => i.id));
      token = page.nextPageToken;
      pages++;
    } while (token !== undefined && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].sort());
  });

  it('filters by credentials identifier and by ids', async () => {
    const identity = identityFixture('filter@example.com');
    await store.create(identity);
    const byIdentifier = await store.list({
      pageSize: 10,
      credentialsIdentifier: {
        exact: 'Filter@example.com',
        normalized: 'filter@example.com',
        match: 'equal',
      },
    });
    expect(byIdentifier.identities.map((i) => i.id)).toEqual([identity.id]);
    const byIds = await store.list({ pageSize: 10, ids: [identity.id, 'junk'] });
    expect(byIds.identities.map((i) => i.id)).toEqual([identity.id]);
  });

  /** An identity whose oidc, saml and passkey credentials have these identifiers. */
  function linked(email: string, identifiers: { oidc?: string[]; saml?: string[]; passkey?: string[] }) {
    const base = identityFixture(email);
    const credentials = { ...base.credentials };
    for (const type of ['oidc', 'saml', 'passkey'] as const) {
      const list = identifiers[type];
      if (list === undefined) continue;
      credentials[type] = {
        type,
        identifiers: list,
        config: {},
        version: 0,
        created_at: base.created_at,
        updated_at: base.created_at,
      };
    }
    return { ...base, credentials };
  }

  const exactly = (exact: string, normalized = exact.toLowerCase()) =>
    ({ exact, normalized, match: 'equal' }) as const;
  const startingWith = (exact: string, normalized = exact.toLowerCase()) =>
    ({ exact, normalized, match: 'prefix' }) as const;

  it('matches oidc and saml identifiers exactly, password ones normalised, and no other type', async () => {
    const okta = linked('okta-user@idents.test', { oidc: ['okta:00uAbCdEf'], passkey: ['passkey-handle-1'] });
    const saml = linked('saml-user@idents.test', { saml: ['corp:Jane.Doe'] });
    await store.create(okta);
    await store.create(saml);
    const ids = async (filter: Parameters<IdentityStore['list']>[0]['credentialsIdentifier']) =>
      (await store.list({ pageSize: 10, credentialsIdentifier: filter })).identities.map((i) => i.id);
    expect(await ids(exactly('okta:00uAbCdEf'))).toEqual([okta.id]);
    expect(await ids(exactly('okta:00uabcdef'))).toEqual([]);
    expect(await ids(exactly('corp:Jane.Doe'))).toEqual([saml.id]);
    expect(await ids(exactly('corp:jane.doe'))).toEqual([]);
    expect(await ids(exactly('OKTA-USER@idents.test'))).toEqual([okta.id]);
    expect(await ids(exactly('passkey-handle-1'))).toEqual([]);
  });

  it('matches identifier prefixes, % and _ literally, oidc ones case and all', async () => {
    const bob = identityFixture('bob@similar.test');
    const percent = identityFixture('50%off@similar.test');
    const underscore = identityFixture('a_b@similar.test');
    const okta = linked('okta@similar.test', { oidc: ['okta:00uXyZ42'] });
    for (const identity of [bob, percent, underscore, okta]) await store.create(identity);
    const emails = async (filter: Parameters<IdentityStore['list']>[0]['credentialsIdentifier']) =>
      (await store.list({ pageSize: 10, credentialsIdentifier: filter })).identities
        .map((i) => i.traits.email)
        .sort();
    expect(await emails(startingWith('Bob'))).toEqual(['bob@similar.test']);
    expect(await emails(startingWith('ob@similar'))).toEqual([]);
    expect(await emails(startingWith('50%'))).toEqual(['50%off@similar.test']);
    expect(await emails(startingWith('5%'))).toEqual([]);
    expect(await emails(startingWith('a_b'))).toEqual(['a_b@similar.test']);
    expect(await emails(startingWith('a_'))).toEqual(['a_b@similar.test']);
    expect(await emails(startingWith('ab'))).toEqual([]);
    expect(await emails(startingWith('okta:00uX'))).toEqual(['okta@similar.test']);
    expect(await emails(startingWith('okta:00ux'))).toEqual([]);
  });

  it('serves numbered pages by offset, counts every identity when asked, and none for an organization', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const identity = identityFixture(`numbered-${i}@paging.test`);
      await store.create(identity);
      created.push(identity.id);
    }
    const sorted = [...created].sort();
    const before = (await store.list({ pageSize: 1, countAll: true })).total ?? 0;
    const page = await store.list({ pageSize: 2, offset: 2, ids: created, countAll: true });
    expect(page.identities.map((i) => i.id)).toEqual(sorted.slice(2, 4));
    expect(page.nextPageToken).toBeUndefined();
    expect(page.total).toBe(before);
    const past = await store.list({ pageSize: 2, offset: 4, ids: created });
    expect(past.identities.map((i) => i.id)).toEqual(sorted.slice(4));
    expect(past.total).toBeUndefined();
    await store.create(identityFixture('one-more@paging.test'));
    expect((await store.list({ pageSize: 1, countAll: true })).total).toBe(before + 1);
    const organization = await store.list({
      pageSize: 10,
      organizationId: '00000000-0000-4000-8000-000000000000',
      countAll: true,
    });
    expect(organization).toEqual({ identities: [], total: before + 1 });
  });

  it('loads an identity with its organization, by every read, and one without none at all', async () => {
    const organizationId = '00000000-0000-4000-8000-0000000000aa';
    const member = identityFixture('member@organization.test', { organization_id: organizationId });
    const loner = identityFixture('loner@organization.test');
    await store.create(member);
    await store.create(loner);
    const byId = await store.get(member.id);
    expect(byId).toEqual(at(member, 0));
    expect(byId?.organization_id).toBe(organizationId);
    expect(
      (await store.findByCredentialIdentifier('password', 'member@organization.test'))?.organization_id,
    ).toBe(organizationId);
    const listed = await store.list({ pageSize: 10, organizationId });
    expect(listed.identities).toEqual([at(member, 0)]);
    expect(listed.identities[0]?.organization_id).toBe(organizationId);
    const alone = await store.get(loner.id);
    expect(alone).toEqual(at(loner, 0));
    // No `organization_id` key, not even null: read back only when set (see Identity.organization_id).
    expect(alone).not.toHaveProperty('organization_id');
    expect((await store.list({ pageSize: 10, ids: [loner.id] })).identities[0]).not.toHaveProperty(
      'organization_id',
    );
  });

  it('rejects a forged page token with a 400', async () => {
    await expect(store.list({ pageSize: 10, pageToken: 'Zm9v' })).rejects.toMatchObject({ code: 400 });
  });
});

function fail(): never {
  throw new Error('the fixture has no password credential');
}
