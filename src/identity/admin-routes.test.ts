import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../app/http.js';
import { createPasswordHashing } from '../hash/index.js';
import { createSecretCipher, type SecretCipher } from '../kernel/cipher.js';
import { silentLogger } from '../kernel/logger.js';
import type { Database } from '../persistence/database.js';
import { createIdentityStore, type IdentityStore } from '../persistence/identity-store.js';
import { testEngines } from '../persistence/testing/engines.js';
import { type AdminIdentityRoutesDeps, adminIdentityRoutes } from './admin-routes.js';
import { createIdentityManager } from './manager.js';
import type { Credential, CredentialType, Identity, JsonObject } from './model.js';
import { createSchemaRegistry, DEFAULT_SCHEMA_ID, DEFAULT_SCHEMAS } from './schema/index.js';

const schemaUrl = (id: string) => `http://127.0.0.1:4433/schemas/${id}`;

const cipher = createSecretCipher([], ['an-admin-routes-test-secret-long-enough']);

/** The admin listener's identity routes over a real store, under /admin and the root as served. */
async function adminApp(
  database: Database,
  store: IdentityStore = createIdentityStore(database.db),
  extra: Partial<AdminIdentityRoutesDeps> = {},
) {
  const schemas = await createSchemaRegistry(DEFAULT_SCHEMAS, DEFAULT_SCHEMA_ID);
  const deps: AdminIdentityRoutesDeps = {
    identities: createIdentityManager({
      store,
      schemas: {
        defaultId: DEFAULT_SCHEMA_ID,
        schemaUrl,
        validate: (id, traits) => schemas.get(id)?.validate(traits),
      },
      hashing: createPasswordHashing({ algorithm: 'bcrypt', bcrypt: { cost: 4 } }),
    }),
    schemaUrl,
    externalIds: store,
    cipher,
    ...extra,
  };
  const app = createHttpServer({ logger: silentLogger() });
  for (const prefix of ['/admin', '']) await app.register(adminIdentityRoutes(deps), { prefix });
  return app as FastifyInstance;
}

/** The Kratos error body of a 400, with its reason. */
const badRequestBody = (reason: string) => ({
  error: {
    code: 400,
    status: 'Bad Request',
    message: 'The request was malformed or contained invalid parameters',
    reason,
  },
});

describe.each(testEngines())('admin identity routes ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let store: IdentityStore;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await engine.open();
    store = createIdentityStore(database.db);
    app = await adminApp(database, store);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  async function create(body: Record<string, unknown>): Promise<{ id: string }> {
    const response = await app.inject({ method: 'POST', url: '/admin/identities', payload: body });
    expect(response.statusCode).toBe(201);
    return response.json();
  }

  describe('POST /admin/identities', () => {
    it('answers an absolute Location on serve.admin.base_url, as Kratos (urlx.AppendPaths)', async () => {
      let seen = 0;
      for (const base of ['http://admin.example:4434/', 'https://gateway.example/kratos-admin']) {
        const located = await adminApp(database, store, { adminBaseUrl: new URL(base) });
        try {
          for (const url of ['/admin/identities', '/identities']) {
            seen += 1;
            const email = `located-${seen}@example.com`;
            const response = await located.inject({
              method: 'POST',
              url,
              payload: { schema_id: 'default', traits: { email } },
            });
            expect(response.statusCode).toBe(201);
            const expected = `${base.replace(/\/$/, '')}/identities/${response.json().id}`;
            expect(response.headers.location, `${base} ${url}`).toBe(expected);
          }
        } finally {
          await located.close();
        }
      }
    });
  });

  describe('PATCH /admin/identities/{id}: the paths Kratos denies, and those here refused', () => {
    it('denies /credentials/oidc itself and a move from a denied path; reads a patch of the password config as an import', async () => {
      const { id } = await create({
        schema_id: 'default',
        traits: { email: 'patch-rules@example.com' },
        credentials: { password: { config: { password: 'a long enough passphrase' } } },
      });
      const patch = (payload: object[]) =>
        app.inject({ method: 'PATCH', url: `/admin/identities/${id}`, payload });
      for (const [op, message] of [
        [{ op: 'remove', path: '/credentials/oidc' }, 'patch includes denied path: /credentials/oidc'],
        [
          { op: 'move', from: '/credentials', path: '/metadata_admin' },
          'patch includes denied path: /credentials',
        ],
      ] as const) {
        const response = await patch([op]);
        expect(response.statusCode).toBe(400);
        expect(response.json().error).toMatchObject({
          reason: 'An error occured when applying the JSON patch',
          message,
        });
      }
      for (const path of ['/credentials/password/identifiers', '/credentials/password']) {
        const response = await patch([{ op: 'replace', path, value: {} }]);
        expect(response.statusCode, path).toBe(400);
      }
      const unknownKey = await patch([
        { op: 'add', path: '/credentials/password/config/pepper', value: 'x' },
      ]);
      expect(unknownKey.statusCode).toBe(400);
      // A test of the stored hash passes through; nothing changes.
      const before = (await store.get(id))?.credentials.password?.config;
      const tested = await patch([
        { op: 'test', path: '/credentials/password/config/hashed_password', value: before?.hashed_password },
        { op: 'replace', path: '/metadata_admin', value: { tested: true } },
      ]);
      expect(tested.statusCode).toBe(200);
      expect((await store.get(id))?.credentials.password?.config).toEqual(before);
    });
  });

  describe('GET /admin/identities/by/external/{externalID}', () => {
    it('answers the identity as GET /admin/identities/{id} does, include_credential or not', async () => {
      const { id } = await create({
        schema_id: 'default',
        external_id: 'crm/42 ä',
        traits: { email: 'external@example.com' },
        credentials: { password: { config: { password: 'a long enough passphrase' } } },
      });
      const external = encodeURIComponent('crm/42 ä');
      for (const query of ['', '?include_credential=password&include_credential=oidc']) {
        const byId = await app.inject({ method: 'GET', url: `/admin/identities/${id}${query}` });
        for (const url of [
          `/admin/identities/by/external/${external}${query}`,
          `/identities/by/external/${external}${query}`,
        ]) {
          const response = await app.inject({ method: 'GET', url });
          expect(response.statusCode, url).toBe(200);
          expect(response.json()).toEqual(byId.json());
        }
        expect(byId.json()).toMatchObject({ id, external_id: 'crm/42 ä' });
        expect(byId.body.includes('hashed_password'), query).toBe(query !== '');
      }
      const bogus = await app.inject({
        method: 'GET',
        url: `/admin/identities/by/external/${external}?include_credential=smartcard`,
      });
      expect(bogus.statusCode).toBe(400);
      expect(bogus.json()).toEqual(
        badRequestBody('Invalid value `smartcard` for parameter `include_credential`.'),
      );
    });

    it('declassifies the types include_credential names, but no token an import body planted', async () => {
      const { id } = await create({
        schema_id: 'default',
        traits: { email: 'declassified@example.com' },
        credentials: {
          password: { config: { password: 'a long enough passphrase' } },
          oidc: {
            config: {
              providers: [
                {
                  provider: 'google',
                  subject: 'g-1',
                  initial_access_token: 'planted-in-the-body',
                  tokens: { fields: { initial_access_token: 'planted-as-tokens' } },
                },
              ],
            },
          },
        },
      });
      const response = await app.inject({
        method: 'GET',
        url: `/admin/identities/${id}?include_credential=password&include_credential=oidc`,
      });
      expect(response.statusCode).toBe(200);
      const { credentials } = response.json();
      expect(credentials.oidc.config).toEqual({
        providers: [
          {
            provider: 'google',
            subject: 'g-1',
            initial_id_token: '',
            initial_access_token: '',
            initial_refresh_token: '',
          },
        ],
      });
      expect(credentials.password.config).toEqual({
        hashed_password: expect.stringMatching(/^\$2[aby]\$04\$/),
      });
      expect(response.body).not.toContain('planted');
      // Only what is named: oidc alone leaves the password's config out.
      const oidcOnly = (
        await app.inject({ method: 'GET', url: `/admin/identities/${id}?include_credential=oidc` })
      ).json();
      expect(oidcOnly.credentials.password.config).toBeUndefined();
      expect(oidcOnly.credentials.oidc.config).toBeDefined();
    });

    it('shows an oidc token no key opens any more as "", as Kratos does', async () => {
      const { id } = await create({
        schema_id: 'default',
        traits: { email: 'rotated@example.com' },
        credentials: { oidc: { config: { providers: [{ provider: 'google', subject: 'g-rotated' }] } } },
      });
      const identity = await store.get(id);
      const oidc = identity?.credentials.oidc;
      if (!identity || !oidc) throw new Error('the identity was not stored');
      const retired: SecretCipher = createSecretCipher([], ['a-retired-secret-that-is-long-enough']);
      oidc.config = {
        providers: [
          {
            provider: 'google',
            subject: 'g-rotated',
            initial_id_token: cipher.encrypt('id-token'),
            initial_access_token: retired.encrypt('access-token'),
          },
        ],
      };
      expect(await store.update(identity)).toBe('updated');
      const response = await app.inject({
        method: 'GET',
        url: `/admin/identities/${id}?include_credential=oidc`,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().credentials.oidc.config.providers).toEqual([
        {
          provider: 'google',
          subject: 'g-rotated',
          initial_id_token: 'id-token',
          initial_access_token: '',
          initial_refresh_token: '',
        },
      ]);
    });

    it('answers 404 in Kratos shape for an external id nobody has', async () => {
      await create({ schema_id: 'default', external_id: 'crm-7', traits: { email: 'crm7@example.com' } });
      for (const externalId of ['crm-8', 'CRM-7', 'crm']) {
        const response = await app.inject({
          method: 'GET',
          url: `/admin/identities/by/external/${externalId}`,
        });
        expect(response.statusCode).toBe(404);
        expect(response.json()).toEqual({
          error: {
            code: 404,
            status: 'Not Found',
            message: 'The requested resource could not be found',
            reason: 'Unable to locate the resource',
          },
        });
      }
    });
  });

  describe('PATCH and PUT /admin/identities/{id} while other writes keep getting in first', () => {
    it("answer 409 in Kratos's shape, having changed nothing", async () => {
      const { id } = await create({ schema_id: 'default', traits: { email: 'contended@example.com' } });
      // Every write finds the identity changed since it read it (another replica writing it).
      const contended = await adminApp(database, { ...store, update: async () => 'stale' as const });
      try {
        const patch = await contended.inject({
          method: 'PATCH',
          url: `/admin/identities/${id}`,
          payload: [{ op: 'replace', path: '/state', value: 'inactive' }],
        });
        const put = await contended.inject({
          method: 'PUT',
          url: `/admin/identities/${id}`,
          payload: { schema_id: 'default', traits: { email: 'contended@example.com' }, state: 'inactive' },
        });
        for (const response of [patch, put]) {
          expect(response.statusCode).toBe(409);
          expect(response.json()).toEqual({
            error: {
              code: 409,
              status: 'Conflict',
              message: 'The resource could not be created due to a conflict',
              reason: expect.stringContaining('The identity was changed by other requests'),
            },
          });
        }
        expect((await store.get(id))?.state).toBe('active');
      } finally {
        await contended.close();
      }
    });
  });

  describe('DELETE /admin/identities/{id}/credentials/{type}', () => {
    async function identityWithCredentials(email: string): Promise<string> {
      const { id } = await create({
        schema_id: 'default',
        traits: { email },
        credentials: {
          password: { config: { password: 'a long enough passphrase' } },
          oidc: {
            config: {
              providers: [
                { provider: 'google', subject: `g-${email}` },
                { provider: 'github', subject: `h-${email}` },
              ],
            },
          },
        },
      });
      return id;
    }
    const remove = (id: string, type: string, query = '') =>
      app.inject({ method: 'DELETE', url: `/admin/identities/${id}/credentials/${type}${query}` });
    const credentials = async (id: string) =>
      (await app.inject({ method: 'GET', url: `/admin/identities/${id}` })).json().credentials;

    /** Gives the identity credentials no strategy here creates (as Kratos's would hold them). */
    async function plant(id: string, planted: Partial<Identity['credentials']>): Promise<void> {
      const identity = await store.get(id);
      if (!identity) throw new Error(`no identity ${id}`);
      expect(await store.update({ ...identity, credentials: { ...identity.credentials, ...planted } })).toBe(
        'updated',
      );
    }
    const stored = (type: CredentialType, config: JsonObject, identifiers: string[] = []): Credential => ({
      type,
      identifiers,
      config,
      version: 0,
      created_at: new Date(),
      updated_at: new Date(),
    });
    const reason = async (response: { json(): unknown }) =>
      (response.json() as { error: { reason?: string } }).error.reason;

    it('removes one oidc link by identifier, and needs the identifier once the credential is found', async () => {
      const id = await identityWithCredentials('links@example.com');
      for (const query of ['', '?identifier=']) {
        const response = await remove(id, 'oidc', query);
        expect(response.statusCode, query).toBe(400);
        expect(await reason(response)).toBe('You must provide an identifier to delete this credential.');
      }
      // As Kratos: a credential the identity lacks is a 404 before anything else is checked.
      for (const type of ['saml', 'deviceauthn']) {
        const response = await remove(id, type);
        expect(response.statusCode, type).toBe(404);
        expect(await reason(response)).toBe(
          `You tried to remove a ${type} but this user have no ${type} set up.`,
        );
      }
      const nobody = await remove(id, 'oidc', '?identifier=google:nobody');
      expect(nobody.statusCode).toBe(404);
      expect(await reason(nobody)).toBe(
        'The identifier `google:nobody` was not found among OIDC credentials.',
      );
      expect((await remove(id, 'oidc', '?identifier=google:g-links@example.com')).statusCode).toBe(204);
      expect((await credentials(id)).oidc.identifiers).toEqual(['github:h-links@example.com']);
      expect((await remove(id, 'saml', '?identifier=okta:u-1')).statusCode).toBe(404);
    });

    it('refuses the last first factor before asking for an identifier, as Kratos orders its checks', async () => {
      const { id } = await create({
        schema_id: 'default',
        traits: { email: 'one-link@example.com' },
        credentials: { oidc: { config: { providers: [{ provider: 'google', subject: 'g-only' }] } } },
      });
      const response = await remove(id, 'oidc');
      expect(response.statusCode).toBe(400);
      expect(await reason(response)).toBe('You cannot remove the last first factor credential.');
    });

    it('answers 404 for a passkey, code or unknown type the identity lacks, 400 for passkey and code it holds', async () => {
      const id = await identityWithCredentials('refused@example.com');
      for (const type of ['passkey', 'code', 'smartcard']) {
        const response = await remove(id, type);
        expect(response.statusCode, type).toBe(404);
        expect(response.json().error).toMatchObject({ code: 404, status: 'Not Found' });
      }
      await plant(id, {
        passkey: stored('passkey', { credentials: [] }, ['user-handle-1']),
        code: stored('code', { addresses: [] }, ['refused@example.com']),
      });
      for (const type of ['passkey', 'code']) {
        const response = await remove(id, type);
        expect(response.statusCode, type).toBe(400);
        expect(await reason(response)).toBe(`Credentials type ${type} cannot be deleted.`);
      }
      expect(Object.keys(await credentials(id)).sort()).toEqual(['code', 'oidc', 'passkey', 'password']);
    });

    it('deletes totp and lookup secrets whole, and webauthn second factors keeping passwordless keys', async () => {
      const id = await identityWithCredentials('second-factors@example.com');
      await plant(id, {
        totp: stored('totp', { totp_url: 'otpauth://totp/x?secret=ABC' }),
        lookup_secret: stored('lookup_secret', { recovery_codes: [] }),
        webauthn: stored('webauthn', {
          credentials: [
            { id: 'a2V5LTE=', is_passwordless: false },
            { id: 'a2V5LTI=', is_passwordless: true },
          ],
        }),
      });
      for (const type of ['totp', 'lookup_secret', 'webauthn']) {
        expect((await remove(id, type)).statusCode, type).toBe(204);
      }
      const left = await store.get(id);
      expect(left?.credentials.totp).toBeUndefined();
      expect(left?.credentials.lookup_secret).toBeUndefined();
      expect(left?.credentials.webauthn?.config.credentials).toEqual([
        { id: 'a2V5LTI=', is_passwordless: true },
      ]);
    });

    it('deletes the password, as the spec allows, and again while other ways in remain', async () => {
      const id = await identityWithCredentials('password@example.com');
      expect((await remove(id, 'password')).statusCode).toBe(204);
      const left = await credentials(id);
      // The password goes; the schema's identifier stays, as Kratos keeps it.
      expect(left.password?.identifiers).toEqual(['password@example.com']);
      expect(left.oidc).toBeDefined();
      // As Kratos: the (empty) credential is still there, and two linked accounts remain.
      expect((await remove(id, 'password')).statusCode).toBe(204);
    });

    it('answers 404 for types of the spec no identity holds here, and for unknown identities', async () => {
      const id = await identityWithCredentials('never@example.com');
      for (const [type, query] of [
        ['identifier_first', ''],
        ['link_recovery', ''],
        ['code_recovery', ''],
        ['deviceauthn', '?identifier=key-1'],
        ['totp', ''],
      ] as const) {
        const response = await remove(id, type, query);
        expect(response.statusCode, type).toBe(404);
        expect(response.json().error).toMatchObject({ code: 404, status: 'Not Found' });
      }
      const unknown = '00000000-0000-4000-8000-000000000000';
      for (const type of ['identifier_first', 'password', 'passkey', 'code', 'oidc', 'smartcard']) {
        const response = await remove(unknown, type);
        expect(response.statusCode, type).toBe(404);
        expect(await reason(response)).toBe('Unable to locate the resource');
      }
    });
  });

  describe('GET /admin/identities', () => {
    // A database of its own: the numbered pages count every identity in it.
    let listDatabase: Database & { drop(): Promise<void> };
    let list: FastifyInstance;
    const ids: string[] = [];

    beforeAll(async () => {
      listDatabase = await engine.open();
      list = await adminApp(listDatabase);
      const bodies = [
        {
          traits: { email: 'bob@list.test' },
          credentials: { password: { config: { password: 'a long enough passphrase' } } },
        },
        {
          traits: { email: 'alice@list.test' },
          credentials: { oidc: { config: { providers: [{ provider: 'okta', subject: '00uAbCdEf' }] } } },
        },
        { traits: { email: '50%_off@list.test' } },
      ];
      for (const body of bodies) {
        const response = await list.inject({
          method: 'POST',
          url: '/admin/identities',
          payload: { schema_id: 'default', ...body },
        });
        expect(response.statusCode).toBe(201);
        ids.push(response.json().id);
      }
      ids.sort();
    });
    afterAll(async () => {
      await list?.close();
      await listDatabase?.drop();
    });

    const get = (query: string) => list.inject({ method: 'GET', url: `/admin/identities?${query}` });
    const emails = async (query: string) => {
      const response = await get(query);
      expect(response.statusCode, query).toBe(200);
      return (response.json() as { traits: { email: string } }[]).map((i) => i.traits.email).sort();
    };

    it('answers what parseListIdentitiesParameters refuses with its 400s', async () => {
      const many = Array.from(
        { length: 501 },
        (_, i) => `ids=00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      );
      for (const [query, reason] of [
        ['ids=not-a-uuid', 'Invalid UUID value `not-a-uuid` for parameter `ids`.'],
        [`ids=${ids[0]}&ids=`, 'Invalid UUID value `` for parameter `ids`.'],
        [many.join('&'), 'The number of ids to filter must not exceed 500.'],
        ['organization_id=acme', 'Invalid UUID value `acme` for parameter `organization_id`.'],
        [
          `ids=${ids[0]}&credentials_identifier=bob@list.test`,
          'You cannot combine multiple filters in this API',
        ],
        [
          'credentials_identifier=a&preview_credentials_identifier_similar=b',
          'You cannot combine multiple filters in this API',
        ],
        [`organization_id=${ids[0]}&ids=${ids[0]}`, 'You cannot combine multiple filters in this API'],
        [
          'include_credential=password&include_credential=smartcard',
          'Invalid value `smartcard` for parameter `include_credential`.',
        ],
        ['page_size=abc', 'strconv.Atoi: parsing "abc": invalid syntax'],
        ['per_page=1.5', 'strconv.Atoi: parsing "1.5": invalid syntax'],
        [
          'page_size=99999999999999999999',
          'strconv.Atoi: parsing "99999999999999999999": value out of range',
        ],
        [
          'page=5',
          'Legacy pagination is not supported for enumerating over 1000 items. Please switch to using page_token and page_size.',
        ],
        [
          'page=3&per_page=500',
          'Legacy pagination is not supported for enumerating over 1000 items. Please switch to using page_token and page_size.',
        ],
      ] as const) {
        const response = await get(query);
        expect(response.statusCode, query).toBe(400);
        expect(response.json(), query).toEqual(badRequestBody(reason));
      }
    });

    it('sizes keyset pages as Kratos: 250 for 0 or less, at most 500, per_page alone as the size', async () => {
      for (const [query, size] of [
        ['page_size=0', 250],
        ['page_size=-3', 250],
        ['page_size=', 250],
        ['page_size=1000', 500],
        ['per_page=2', 2],
        ['per_page=900', 500],
        ['', 250],
      ] as const) {
        const response = await get(query);
        expect(response.statusCode, query).toBe(200);
        expect(response.headers.link, query).toContain(`page_size=${size}`);
        expect(response.headers['x-total-count'], query).toBeUndefined();
      }
      const first = await get('page_size=2');
      expect(first.json().map((i: { id: string }) => i.id)).toEqual(ids.slice(0, 2));
      expect(first.headers.link).toMatch(/rel="next"/);
    });

    it('serves numbered pages with page from 0, X-Total-Count and pagepagination links', async () => {
      const page = async (query: string) => {
        const response = await get(query);
        expect(response.statusCode, query).toBe(200);
        return {
          ids: (response.json() as { id: string }[]).map((i) => i.id),
          total: response.headers['x-total-count'],
          link: response.headers.link,
        };
      };
      expect(await page('page=0&per_page=2')).toEqual({
        ids: ids.slice(0, 2),
        total: '3',
        link: '</admin/identities?page=1&per_page=2>; rel="next",</admin/identities?page=1&per_page=2>; rel="last"',
      });
      expect(await page('per_page=2&page=1')).toEqual({
        ids: ids.slice(2),
        total: '3',
        link: '</admin/identities?page=0&per_page=2>; rel="first",</admin/identities?page=0&per_page=2>; rel="prev"',
      });
      expect(await page('page=2&per_page=2')).toMatchObject({ ids: [], total: '3' });
      expect(await page('page=0')).toEqual({
        ids,
        total: '3',
        link: '</admin/identities?page=0&per_page=3>; rel="first"',
      });
      expect(await page('page=1&per_page=1')).toEqual({
        ids: ids.slice(1, 2),
        total: '3',
        link: [
          '</admin/identities?page=0&per_page=1>; rel="first"',
          '</admin/identities?page=2&per_page=1>; rel="next"',
          '</admin/identities?page=0&per_page=1>; rel="prev"',
          '</admin/identities?page=2&per_page=1>; rel="last"',
        ].join(','),
      });
      // Filters stay in the links; as Kratos, only an exact identifier lookup counts what it found.
      const filtered = await page(`page=0&per_page=1&ids=${ids[2]}`);
      expect(filtered.ids).toEqual([ids[2]]);
      expect(filtered.total).toBe('3');
      expect(filtered.link).toContain(`ids=${ids[2]}`);
      expect(await page('page=0&credentials_identifier=BOB@list.test')).toMatchObject({ total: '1' });
      // page_size or page_token win over page: keyset pages.
      expect((await page('page=1&page_size=2')).ids).toEqual(ids.slice(0, 2));
    });

    it('accepts ids in every spelling Kratos parses', async () => {
      const [id] = ids;
      if (id === undefined) throw new Error('no identity');
      const hex = id.replaceAll('-', '');
      for (const spelling of [id.toUpperCase(), `{${id}}`, `urn:uuid:${id}`, hex, `{${hex}}`]) {
        const response = await get(`ids=${encodeURIComponent(spelling)}`);
        expect(response.statusCode, spelling).toBe(200);
        expect(
          response.json().map((i: { id: string }) => i.id),
          spelling,
        ).toEqual([id]);
      }
    });

    it('matches oidc identifiers exactly and email ones normalised', async () => {
      expect(await emails('credentials_identifier=okta:00uAbCdEf')).toEqual(['alice@list.test']);
      expect(await emails('credentials_identifier=okta:00uabcdef')).toEqual([]);
      expect(await emails('credentials_identifier=%20BOB@List.test%20')).toEqual(['bob@list.test']);
    });

    it('finds identifiers by prefix with preview_credentials_identifier_similar, % and _ literal', async () => {
      expect(await emails('preview_credentials_identifier_similar=Bo')).toEqual(['bob@list.test']);
      expect(await emails('preview_credentials_identifier_similar=okta:00uA')).toEqual(['alice@list.test']);
      expect(await emails('preview_credentials_identifier_similar=okta:00ua')).toEqual([]);
      expect(await emails('preview_credentials_identifier_similar=50%25_')).toEqual(['50%_off@list.test']);
      expect(await emails('preview_credentials_identifier_similar=5%25')).toEqual([]);
      expect(await emails('preview_credentials_identifier_similar=lice')).toEqual([]);
    });

    it('lists no identity for an organization, none belonging to one', async () => {
      expect(await emails('organization_id=00000000-0000-4000-8000-000000000001')).toEqual([]);
    });

    it('declassifies the credentials include_credential names on every identity listed', async () => {
      const response = await get('include_credential=password&preview_credentials_identifier_similar=bob');
      expect(response.statusCode).toBe(200);
      const [bob] = response.json();
      expect(bob.credentials.password.config.hashed_password).toMatch(/^\$2[aby]\$/);
      const plain = (await get('credentials_identifier=bob@list.test')).json();
      expect(plain[0].credentials.password.config).toBeUndefined();
    });

    it('leaves credentials out unless a credential filter or include_credential asks, as Kratos', async () => {
      const [first] = ids;
      for (const query of ['', 'per_page=2', `ids=${first}`]) {
        const listed = (await get(query)).json() as Record<string, unknown>[];
        expect(listed.length, query).toBeGreaterThan(0);
        for (const identity of listed) expect(identity, query).not.toHaveProperty('credentials');
        expect(listed[0], query).toHaveProperty('metadata_admin');
      }
      for (const query of [
        'credentials_identifier=bob@list.test',
        'preview_credentials_identifier_similar=bob',
      ]) {
        const [bob] = (await get(query)).json();
        expect(bob.credentials.password.identifiers, query).toEqual(['bob@list.test']);
      }
      const [withPassword] = (await get(`include_credential=password&ids=${first}`)).json();
      expect(withPassword).toHaveProperty('credentials');
    });
  });
});
