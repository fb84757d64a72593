/**
 * The admin identity writes as Kratos answers them (the admin API review: M1, M2, M3, L2, L5),
 * through @ory/client's IdentityApi against a whole server.
 */
import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHashing } from '../src/hash/index.js';
import { testDatabases } from './support/databases.js';
import { failure as clientFailure } from './support/failure.js';
import { examTraits, loginWithPassword } from './support/identities.js';
import { startTestServer, type TestServer } from './support/server.js';

/** Admin API failures carry Kratos's error body. */
const failure = (call: Promise<unknown>) =>
  clientFailure<{ error: { code: number; status: string; message: string; reason?: string } }>(call);

const ORG_A = '8f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const ORG_B = '1d2e3f40-5a6b-4c7d-9e8f-a0b1c2d3e4f5';
const PATCH_FAILED = 'An error occured when applying the JSON patch';

describe.each(testDatabases())('admin identity writes as Kratos answers them ($name)', (database) => {
  let server: TestServer;
  let api: IdentityApi;
  let frontend: FrontendApi;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    server = await startTestServer({ dsn: db.dsn });
    api = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  const create = async (email: string, body: Record<string, unknown> = {}) =>
    (
      await api.createIdentity({
        createIdentityBody: { schema_id: 'exam', traits: examTraits(email), ...body },
      })
    ).data;
  const storedPassword = async (id: string) =>
    (await api.getIdentity({ id, includeCredential: ['password'] })).data.credentials?.password;
  const signsIn = async (email: string, password: string) => {
    try {
      return (await loginWithPassword(frontend, email, password)).status === 200;
    } catch {
      return false;
    }
  };

  describe('PATCH /admin/identities (batch)', () => {
    it('answers 200 with per-item errors when every item fails: a re-run import does not throw', async () => {
      const batch = {
        identities: [
          {
            patch_id: '0b7e1c2a-1111-4a4a-8b8b-000000000001',
            create: { schema_id: 'exam', traits: examTraits('rerun-1@example.com') },
          },
          {
            patch_id: '0b7e1c2a-1111-4a4a-8b8b-000000000002',
            create: { schema_id: 'exam', traits: examTraits('rerun-2@example.com') },
          },
        ],
      };
      const first = await api.batchPatchIdentities({ patchIdentitiesBody: batch });
      expect(first.data.identities?.map((i) => i.action)).toEqual(['create', 'create']);

      const again = await api.batchPatchIdentities({ patchIdentitiesBody: batch });
      expect(again.status).toBe(200);
      expect(again.data.identities).toEqual(
        batch.identities.map(({ patch_id }) => ({
          action: 'error',
          patch_id,
          error: {
            code: 409,
            status: 'Conflict',
            message: 'Unable to insert or update resource because a resource with that value exists already',
          },
        })),
      );

      const invalid = await api.batchPatchIdentities({
        patchIdentitiesBody: {
          identities: [
            {
              create: {
                schema_id: 'exam',
                traits: { ...examTraits('invalid@example.com'), user_type: 'admin' },
              },
            },
          ],
        },
      });
      expect(invalid.status).toBe(200);
      expect(invalid.data.identities?.[0]).toMatchObject({ action: 'error', error: { code: 400 } });
      expect(invalid.data.identities?.[0]?.error?.reason).toContain('#/traits/user_type');
    });
  });

  describe('PATCH /admin/identities/{id} (JSON Patch)', () => {
    it('sets a password hash through /credentials/password/config, validated and signed in with', async () => {
      const identity = await create('patched-hash@example.com', {
        credentials: { password: { config: { password: 'the first passphrase here' } } },
      });
      const hashing = createPasswordHashing({ algorithm: 'bcrypt', bcrypt: { cost: 4 } });
      const hash = await hashing.hash('a patched passphrase');
      const { status, data } = await api.patchIdentity({
        id: identity.id,
        jsonPatch: [{ op: 'replace', path: '/credentials/password/config/hashed_password', value: hash }],
      });
      expect(status).toBe(200);
      expect(JSON.stringify(data)).not.toContain(hash);
      expect(await storedPassword(identity.id)).toMatchObject({
        identifiers: ['patched-hash@example.com'],
        config: { hashed_password: hash },
      });
      expect(await signsIn('patched-hash@example.com', 'a patched passphrase')).toBe(true);
      // (Signing in re-hashed it with the configured hasher.)
      const before = (await storedPassword(identity.id))?.config;

      const notAHash = await failure(
        api.patchIdentity({
          id: identity.id,
          jsonPatch: [
            { op: 'replace', path: '/credentials/password/config/hashed_password', value: 'plain' },
          ],
        }),
      );
      expect(notAHash.status).toBe(400);
      expect((await storedPassword(identity.id))?.config).toEqual(before);
    });

    it('hashes a plain password patched in, as an import does, and never stores it in the clear', async () => {
      // Created without a password: its credential holds only the identifier, and the patch adds one.
      const identity = await create('patched-plain@example.com');
      await api.patchIdentity({
        id: identity.id,
        jsonPatch: [
          { op: 'replace', path: '/credentials/password/config/password', value: 'a plain passphrase' },
        ],
      });
      const config = (await storedPassword(identity.id))?.config as Record<string, unknown>;
      expect(Object.keys(config)).toEqual(['hashed_password']);
      expect(config.hashed_password).toMatch(/^\$argon2id\$/);
      expect(await signsIn('patched-plain@example.com', 'a plain passphrase')).toBe(true);
    });

    it("denies /id, /credentials and /credentials/oidc/** with Kratos's reason and message", async () => {
      const identity = await create('patch-denied@example.com', {
        credentials: { oidc: { config: { providers: [{ provider: 'google', subject: 'g-denied' }] } } },
      });
      for (const path of ['/id', '/credentials', '/credentials/oidc/config/providers/0/subject']) {
        const denied = await failure(
          api.patchIdentity({ id: identity.id, jsonPatch: [{ op: 'replace', path, value: 'x' }] }),
        );
        expect(denied.status, path).toBe(400);
        expect(denied.body.error, path).toMatchObject({
          code: 400,
          reason: PATCH_FAILED,
          message: `patch includes denied path: ${path}`,
        });
      }
      const totp = await failure(
        api.patchIdentity({
          id: identity.id,
          jsonPatch: [{ op: 'add', path: '/credentials/totp/config', value: { totp_url: 'otpauth://x' } }],
        }),
      );
      expect(totp.status).toBe(400);
      expect(totp.body.error.reason).toBe(PATCH_FAILED);
    });

    it('accepts and ignores timestamps and schema_url, as Kratos', async () => {
      const identity = await create('patch-timestamps@example.com');
      const { status, data } = await api.patchIdentity({
        id: identity.id,
        jsonPatch: [
          { op: 'replace', path: '/created_at', value: '2000-01-01T00:00:00Z' },
          { op: 'replace', path: '/state_changed_at', value: '2000-01-01T00:00:00Z' },
          { op: 'replace', path: '/schema_url', value: 'https://elsewhere.example/schema' },
          { op: 'replace', path: '/metadata_public', value: { patched: true } },
        ],
      });
      expect(status).toBe(200);
      expect(data.created_at).toBe(identity.created_at);
      expect(data.state_changed_at).toBe(identity.state_changed_at);
      expect(data.schema_url).toBe(identity.schema_url);
      expect(data.metadata_public).toEqual({ patched: true });
    });
  });

  describe('organization_id', () => {
    it('is stored on create, batch create and patch, returned, and filtered on', async () => {
      const a = await create('org-a@example.com', { organization_id: ORG_A.toUpperCase() });
      expect(a.organization_id).toBe(ORG_A);
      const { data: batch } = await api.batchPatchIdentities({
        patchIdentitiesBody: {
          identities: [
            {
              create: { schema_id: 'exam', traits: examTraits('org-b@example.com'), organization_id: ORG_A },
            },
          ],
        },
      });
      const b = batch.identities?.[0]?.identity as string;
      expect((await api.getIdentity({ id: b })).data.organization_id).toBe(ORG_A);
      const none = await create('org-none@example.com');
      expect(none.organization_id).toBeNull();

      const listed = async (organizationId: string) =>
        (await api.listIdentities({ organizationId })).data.map((i) => i.id).sort();
      expect(await listed(ORG_A)).toEqual([a.id, b].sort());

      const { data: moved } = await api.patchIdentity({
        id: b,
        jsonPatch: [{ op: 'replace', path: '/organization_id', value: ORG_B }],
      });
      expect(moved.organization_id).toBe(ORG_B);
      const { data: joined } = await api.patchIdentity({
        id: none.id,
        jsonPatch: [{ op: 'add', path: '/organization_id', value: ORG_B }],
      });
      expect(joined.organization_id).toBe(ORG_B);
      expect(await listed(ORG_A)).toEqual([a.id]);
      expect(await listed(ORG_B)).toEqual([b, none.id].sort());

      // A PUT has no organization_id: it keeps the identity's.
      const { data: put } = await api.updateIdentity({
        id: a.id,
        updateIdentityBody: {
          schema_id: 'exam',
          state: 'active',
          traits: examTraits('org-a@example.com', 'Ann'),
        },
      });
      expect(put.organization_id).toBe(ORG_A);
      const { data: left } = await api.patchIdentity({
        id: a.id,
        jsonPatch: [{ op: 'replace', path: '/organization_id', value: null }],
      });
      expect(left.organization_id).toBeNull();
    });

    it('must be a UUID', async () => {
      const created = await failure(
        api.createIdentity({
          createIdentityBody: {
            schema_id: 'exam',
            traits: examTraits('org-bad@example.com'),
            organization_id: 'acme',
          },
        }),
      );
      expect(created.status).toBe(400);
      const identity = await create('org-bad-patch@example.com');
      const patched = await failure(
        api.patchIdentity({
          id: identity.id,
          jsonPatch: [{ op: 'add', path: '/organization_id', value: 'acme' }],
        }),
      );
      expect(patched.status).toBe(400);
      expect((await api.getIdentity({ id: identity.id })).data.organization_id).toBeNull();
    });
  });

  it('answers a create with an absolute Location on serve.admin.base_url, as Kratos', async () => {
    const response = await fetch(`${server.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'exam', traits: examTraits('located@example.com') }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    expect(response.headers.get('location')).toBe(
      new URL(`identities/${id}`, `${server.adminUrl}/`).toString(),
    );
  });

  it('refuses a create body with a field Kratos does not know, as its strict decoder, creating nothing', async () => {
    const response = await fetch(`${server.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        schema_id: 'exam',
        traits: examTraits('typo@example.com'),
        metadata_publik: { plan: 'pro' },
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: number; reason?: string; message: string } };
    expect(body.error.code).toBe(400);
    expect(`${body.error.reason ?? ''} ${body.error.message}`).toContain('metadata_publik');
    const { data } = await api.listIdentities({ credentialsIdentifier: 'typo@example.com' });
    expect(data).toEqual([]);
  });

  describe('imports and PUT', () => {
    it('lets a plain password win over hashed_password, and the migration hook over both', async () => {
      await create('both@example.com', {
        credentials: {
          password: {
            config: {
              password: 'the plain one wins',
              hashed_password: '$2a$04$wn6sPduOmoAk1gTKKDXHZuKJ0KvuNzBDs68.71N9qcQoo0Wr7c33i',
            },
          },
        },
      });
      expect(await signsIn('both@example.com', 'the plain one wins')).toBe(true);
      const hooked = await create('hooked@example.com', {
        credentials: {
          password: { config: { password: 'ignored for the hook', use_password_migration_hook: true } },
        },
      });
      expect((await storedPassword(hooked.id))?.config).toEqual({ use_password_migration_hook: true });
    });

    it('takes external_id "" as none: on create, and a PUT with it clears the id', async () => {
      const blank = await create('blank-external@example.com', { external_id: '' });
      expect(blank.external_id).toBeUndefined();
      const identity = await create('external-cleared@example.com', { external_id: 'crm-cleared' });
      const { data } = await api.updateIdentity({
        id: identity.id,
        updateIdentityBody: {
          schema_id: 'exam',
          state: 'active',
          traits: examTraits('external-cleared@example.com'),
          external_id: '',
        },
      });
      expect(data.external_id).toBeUndefined();
      expect((await failure(api.getIdentityByExternalID({ externalID: 'crm-cleared' }))).status).toBe(404);
    });

    it('keeps the stored state and schema_id when a raw PUT leaves them out', async () => {
      const identity = await create('put-partial@example.com', { state: 'inactive' });
      const response = await fetch(`${server.adminUrl}/admin/identities/${identity.id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ traits: examTraits('put-partial@example.com', 'Partial') }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        schema_id: 'exam',
        state: 'inactive',
        traits: { fullname: 'Partial' },
      });
    });
  });

  describe('DELETE /admin/identities/{id}/credentials/{type}', () => {
    it("checks as Kratos: the identity, then the credential (404s), then the type's rules", async () => {
      const unknown = '00000000-0000-4000-8000-0000000000aa';
      for (const type of ['password', 'passkey', 'saml'] as const) {
        expect((await failure(api.deleteIdentityCredentials({ id: unknown, type }))).status, type).toBe(404);
      }
      const identity = await create('delete-order@example.com', {
        credentials: {
          password: { config: { password: 'a long enough passphrase' } },
          oidc: { config: { providers: [{ provider: 'github', subject: 'order-1' }] } },
        },
      });
      for (const type of ['passkey', 'code', 'saml'] as const) {
        const missing = await failure(api.deleteIdentityCredentials({ id: identity.id, type }));
        expect([type, missing.status, missing.body.error.reason]).toEqual([
          type,
          404,
          `You tried to remove a ${type} but this user have no ${type} set up.`,
        ]);
      }
      const noIdentifier = await failure(api.deleteIdentityCredentials({ id: identity.id, type: 'oidc' }));
      expect(noIdentifier.status).toBe(400);
      expect(noIdentifier.body.error.reason).toBe(
        'You must provide an identifier to delete this credential.',
      );
    });
  });
});
