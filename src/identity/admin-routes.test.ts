import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../app/http.js';
import { createPasswordHashing } from '../hash/index.js';
import { createSecretCipher } from '../kernel/cipher.js';
import { silentLogger } from '../kernel/logger.js';
import type { Database } from '../persistence/database.js';
import { createIdentityStore } from '../persistence/identity-store.js';
import { testEngines } from '../persistence/testing/engines.js';
import { type AdminIdentityRoutesDeps, adminIdentityRoutes } from './admin-routes.js';
import { createIdentityManager } from './manager.js';
import { createSchemaRegistry, DEFAULT_SCHEMA_ID, DEFAULT_SCHEMAS } from './schema/index.js';

const schemaUrl = (id: string) => `http://127.0.0.1:4433/schemas/${id}`;

/** The admin listener's identity routes over a real store, under /admin and the root as served. */
async function adminApp(database: Database): Promise<FastifyInstance> {
  const schemas = await createSchemaRegistry(DEFAULT_SCHEMAS, DEFAULT_SCHEMA_ID);
  const store = createIdentityStore(database.db);
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
    cipher: createSecretCipher([], ['an-admin-routes-test-secret-long-enough']),
  };
  const app = createHttpServer({ logger: silentLogger() });
  for (const prefix of ['/admin', '']) await app.register(adminIdentityRoutes(deps), { prefix });
  return app;
}

describe.each(testEngines())('admin identity routes ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await engine.open();
    app = await adminApp(database);
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

  describe('GET /admin/identities/by/external/{externalID}', () => {
    it('answers the identity as GET /admin/identities/{id} does, include_credential or not', async () => {
      const { id } = await create({
        schema_id: 'default',
        external_id: 'crm/42 ä',
        traits: { email: 'external@example.com' },
        credentials: { password: { config: { password: 'a long enough passphrase' } } },
      });
      const byId = await app.inject({ method: 'GET', url: `/admin/identities/${id}` });
      const external = encodeURIComponent('crm/42 ä');
      for (const url of [
        `/admin/identities/by/external/${external}`,
        `/admin/identities/by/external/${external}?include_credential=password&include_credential=oidc`,
        `/identities/by/external/${external}`,
      ]) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode, url).toBe(200);
        expect(response.json()).toEqual(byId.json());
      }
      expect(byId.json()).toMatchObject({ id, external_id: 'crm/42 ä' });
      expect(byId.body).not.toContain('hashed_password');
    });

    it('declassifies only oidc, and only tokens sealed in process: an import body cannot plant them', async () => {
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
      expect(credentials.password.config).toBeUndefined();
      expect(response.body).not.toContain('planted');
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

    it('removes one oidc link by identifier, and needs the identifier for oidc, saml and deviceauthn', async () => {
      const id = await identityWithCredentials('links@example.com');
      for (const type of ['oidc', 'saml', 'deviceauthn']) {
        for (const query of ['', '?identifier=']) {
          const response = await remove(id, type, query);
          expect(response.statusCode, `${type}${query}`).toBe(400);
          expect(response.json().error).toMatchObject({ code: 400, status: 'Bad Request' });
        }
      }
      expect((await remove(id, 'oidc', '?identifier=google:nobody')).statusCode).toBe(404);
      expect((await remove(id, 'oidc', '?identifier=google:g-links@example.com')).statusCode).toBe(204);
      expect((await credentials(id)).oidc.identifiers).toEqual(['github:h-links@example.com']);
      expect((await remove(id, 'saml', '?identifier=okta:u-1')).statusCode).toBe(404);
    });

    it('refuses passkey and code credentials, and types outside the spec', async () => {
      const id = await identityWithCredentials('refused@example.com');
      for (const type of ['passkey', 'code', 'smartcard']) {
        const response = await remove(id, type);
        expect(response.statusCode, type).toBe(400);
        expect(response.json().error).toMatchObject({ code: 400, status: 'Bad Request' });
      }
    });

    it('deletes the password, as the spec allows', async () => {
      const id = await identityWithCredentials('password@example.com');
      expect((await remove(id, 'password')).statusCode).toBe(204);
      const left = await credentials(id);
      // The password goes; the schema's identifier stays, as Kratos keeps it.
      expect(left.password?.identifiers).toEqual(['password@example.com']);
      expect(left.oidc).toBeDefined();
      expect((await remove(id, 'password')).statusCode).toBe(404);
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
      expect((await remove(unknown, 'identifier_first')).statusCode).toBe(404);
      expect((await remove(unknown, 'password')).statusCode).toBe(404);
    });
  });
});
