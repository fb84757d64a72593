import {
  Configuration,
  type GetIdentityIncludeCredentialEnum,
  IdentityApi,
  type IdentityApiListIdentitiesRequest,
} from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { failure as clientFailure } from './support/failure.js';
import { startTestServer, type TestServer } from './support/server.js';

/** Admin API failures carry Kratos's error body. */
const failure = (call: Promise<unknown>) => clientFailure<{ error: Record<string, unknown> }>(call);

const exam = (email: string, overrides: Record<string, unknown> = {}) => ({
  email,
  fullname: 'Grace Hopper',
  phone_number: 5551234,
  user_type: 'educator',
  ...overrides,
});

describe.each(testDatabases())('admin identities API with @ory/client ($name)', (database) => {
  let server: TestServer;
  let api: IdentityApi;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    server = await startTestServer({ dsn: db.dsn });
    api = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it('lists and gets identity schemas on the admin URL, where IdentityApi points', async () => {
    const { data: schemas } = await api.listIdentitySchemas();
    expect(schemas.map((s) => s.id)).toContain('exam');
    const { data: schema } = await api.getIdentitySchema({ id: 'exam' });
    expect(schema).toMatchObject({ type: 'object' });
  });

  it('creates an identity with the exam schema and a password, without leaking the hash', async () => {
    const { status, data } = await api.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: exam('  Grace@Example.COM '),
        credentials: { password: { config: { password: 'correct horse battery staple' } } },
        metadata_public: { cohort: 2026 },
        metadata_admin: { note: 'first user' },
      },
    });
    expect(status).toBe(201);
    expect(data.schema_id).toBe('exam');
    expect(data.schema_url).toMatch(/\/schemas\/ZXhhbQ$/);
    expect(data.state).toBe('active');
    expect(data.traits).toEqual(exam('  Grace@Example.COM '));
    expect(data.metadata_admin).toEqual({ note: 'first user' });
    expect(data.credentials?.password?.identifiers).toEqual(['grace@example.com']);
    expect(JSON.stringify(data)).not.toContain('hashed_password');
    expect(JSON.stringify(data)).not.toContain('$argon2');
    expect(data.verifiable_addresses).toMatchObject([
      { value: 'grace@example.com', via: 'email', verified: false, status: 'pending' },
    ]);
    expect(data.recovery_addresses).toMatchObject([{ value: 'grace@example.com', via: 'email' }]);
  });

  it('applies no schema default (Kratos does not) and rejects user_type "admin" with a 400 naming the field', async () => {
    // user_type is required with a default: missing is refused, as Kratos refuses it, never filled in.
    const { fullname, email, phone_number } = exam('student@example.com');
    const missing = await failure(
      api.createIdentity({
        createIdentityBody: { schema_id: 'exam', traits: { email, fullname, phone_number } },
      }),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.reason).toContain('#/traits/user_type');

    const bad = await failure(
      api.createIdentity({
        createIdentityBody: { schema_id: 'exam', traits: exam('admin@example.com', { user_type: 'admin' }) },
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 400, status: 'Bad Request' });
    expect(bad.body.error.reason).toContain('#/traits/user_type');
  });

  it('rejects missing required traits, unknown traits and a bad email', async () => {
    const missing = await failure(
      api.createIdentity({
        createIdentityBody: { schema_id: 'exam', traits: { email: 'x@example.com', phone_number: 1 } },
      }),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.reason).toContain('fullname');
    const extra = await failure(
      api.createIdentity({
        createIdentityBody: { schema_id: 'exam', traits: exam('y@example.com', { role: 'x' }) },
      }),
    );
    expect(extra.status).toBe(400);
    const email = await failure(
      api.createIdentity({ createIdentityBody: { schema_id: 'exam', traits: exam('not-an-email') } }),
    );
    expect(email.status).toBe(400);
    expect(email.body.error.reason).toContain('#/traits/email');
    const schema = await failure(
      api.createIdentity({ createIdentityBody: { schema_id: 'nope', traits: {} } }),
    );
    expect(schema.status).toBe(400);
  });

  it('answers 409 for a duplicate identifier, whatever its case', async () => {
    await api.createIdentity({ createIdentityBody: { schema_id: 'exam', traits: exam('dup@example.com') } });
    const dup = await failure(
      api.createIdentity({ createIdentityBody: { schema_id: 'exam', traits: exam('DUP@example.com') } }),
    );
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 409, status: 'Conflict' });
  });

  it('gets, updates, patches and deletes an identity', async () => {
    const { data: created } = await api.createIdentity({
      createIdentityBody: { schema_id: 'exam', traits: exam('life@example.com') },
    });
    const { data: got } = await api.getIdentity({ id: created.id });
    expect(got.id).toBe(created.id);
    expect(got.traits.email).toBe('life@example.com');

    const { data: updated } = await api.updateIdentity({
      id: created.id,
      updateIdentityBody: {
        schema_id: 'exam',
        state: 'inactive',
        traits: exam('life2@example.com', { fullname: 'Grace B. Hopper' }),
        metadata_public: { moved: true },
      },
    });
    expect(updated.state).toBe('inactive');
    expect(updated.traits.fullname).toBe('Grace B. Hopper');
    expect(updated.verifiable_addresses?.map((a) => a.value)).toEqual(['life2@example.com']);
    expect(updated.metadata_public).toEqual({ moved: true });

    const { data: patched } = await api.patchIdentity({
      id: created.id,
      jsonPatch: [
        { op: 'replace', path: '/traits/user_type', value: 'student' },
        { op: 'replace', path: '/state', value: 'active' },
      ],
    });
    expect(patched.traits.user_type).toBe('student');
    expect(patched.state).toBe('active');

    const badPatch = await failure(
      api.patchIdentity({
        id: created.id,
        jsonPatch: [{ op: 'replace', path: '/traits/user_type', value: 'admin' }],
      }),
    );
    expect(badPatch.status).toBe(400);
    const idPatch = await failure(
      api.patchIdentity({ id: created.id, jsonPatch: [{ op: 'replace', path: '/id', value: 'x' }] }),
    );
    expect(idPatch.status).toBe(400);

    const del = await api.deleteIdentity({ id: created.id });
    expect(del.status).toBe(204);
    expect((await failure(api.getIdentity({ id: created.id }))).status).toBe(404);
    expect((await failure(api.deleteIdentity({ id: created.id }))).status).toBe(404);
  });

  it('lists with keyset pages, filters by identifier and ids', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { data } = await api.createIdentity({
        createIdentityBody: { schema_id: 'exam', traits: exam(`list${i}@example.com`) },
      });
      ids.push(data.id);
    }
    const seen: string[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 20; page++) {
      const response = await api.listIdentities({ pageSize: 2, pageToken, ids });
      seen.push(...response.data.map((i) => i.id));
      const next = /<[^>]*[?&]page_token=([^&>]+)[^>]*>; rel="next"/.exec(
        String(response.headers.link ?? ''),
      );
      pageToken = next?.[1] ? decodeURIComponent(next[1]) : undefined;
      if (!pageToken) break;
    }
    expect(seen.sort()).toEqual([...ids].sort());

    // As Kratos, the schema's identifiers are sign-in identifiers before any password is set.
    const { data: byIdentifier } = await api.listIdentities({ credentialsIdentifier: 'LIST3@example.com' });
    expect(byIdentifier.map((i) => i.traits.email)).toEqual(['list3@example.com']);
    const { data: withPassword } = await api.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: exam('findme@example.com'),
        credentials: {
          password: {
            config: { hashed_password: '$2a$04$wn6sPduOmoAk1gTKKDXHZuKJ0KvuNzBDs68.71N9qcQoo0Wr7c33i' },
          },
        },
      },
    });
    const { data: found } = await api.listIdentities({ credentialsIdentifier: 'FindMe@example.com' });
    expect(found.map((i) => i.id)).toEqual([withPassword.id]);
  });

  it('pages the deprecated way: page from 0 and per_page, with X-Total-Count and numbered links', async () => {
    for (let i = 0; i < 3; i++) {
      await api.createIdentity({
        createIdentityBody: { schema_id: 'exam', traits: exam(`legacy${i}@example.com`) },
      });
    }
    const { data: all } = await api.listIdentities({ pageSize: 500 });
    const first = await api.listIdentities({ page: 0, perPage: 2 });
    const second = await api.listIdentities({ page: 1, perPage: 2 });
    expect(first.data.map((i) => i.id)).toEqual(all.slice(0, 2).map((i) => i.id));
    expect(second.data.map((i) => i.id)).toEqual(all.slice(2, 4).map((i) => i.id));
    for (const response of [first, second])
      expect(response.headers['x-total-count']).toBe(String(all.length));
    expect(first.headers.link).toBe(
      `</admin/identities?page=1&per_page=2>; rel="next",</admin/identities?page=${Math.ceil(all.length / 2) - 1}&per_page=2>; rel="last"`,
    );
    expect(second.headers.link).toContain('</admin/identities?page=0&per_page=2>; rel="prev"');
    // Keyset pages (page_size) send no total.
    expect((await api.listIdentities({ pageSize: 2 })).headers['x-total-count']).toBeUndefined();
    const tooFar = await failure(api.listIdentities({ page: 5 }));
    expect(tooFar.status).toBe(400);
    expect(tooFar.body.error).toMatchObject({
      code: 400,
      reason:
        'Legacy pagination is not supported for enumerating over 1000 items. Please switch to using page_token and page_size.',
    });
  });

  it("refuses malformed or combined filters with Kratos's 400s", async () => {
    const { data } = await api.createIdentity({
      createIdentityBody: { schema_id: 'exam', traits: exam('filters@example.com') },
    });
    const refusals: [IdentityApiListIdentitiesRequest, string][] = [
      [{ ids: ['not-a-uuid'] }, 'Invalid UUID value `not-a-uuid` for parameter `ids`.'],
      [
        { ids: Array.from({ length: 501 }, () => data.id) },
        'The number of ids to filter must not exceed 500.',
      ],
      [
        { ids: [data.id], credentialsIdentifier: 'filters@example.com' },
        'You cannot combine multiple filters in this API',
      ],
      [
        { credentialsIdentifier: 'filters@example.com', previewCredentialsIdentifierSimilar: 'filters' },
        'You cannot combine multiple filters in this API',
      ],
      [{ includeCredential: ['smartcard'] }, 'Invalid value `smartcard` for parameter `include_credential`.'],
      [{ organizationId: 'acme' }, 'Invalid UUID value `acme` for parameter `organization_id`.'],
    ];
    for (const [request, reason] of refusals) {
      const refused = await failure(api.listIdentities(request));
      expect(refused.status, reason).toBe(400);
      expect(refused.body.error, reason).toMatchObject({ code: 400, status: 'Bad Request', reason });
    }
    const { data: none } = await api.listIdentities({
      organizationId: '00000000-0000-4000-8000-000000000001',
    });
    expect(none).toEqual([]);
  });

  it('finds oidc subjects exactly, emails normalised, and identifier prefixes', async () => {
    const { data: okta } = await api.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: exam('okta-user@example.com'),
        credentials: { oidc: { config: { providers: [{ provider: 'okta', subject: '00uAbCdEf' }] } } },
      },
    });
    const { data: bobby } = await api.createIdentity({
      createIdentityBody: { schema_id: 'exam', traits: exam('bobby_tables@example.com') },
    });
    const ids = async (request: Parameters<IdentityApi['listIdentities']>[0]) =>
      (await api.listIdentities(request)).data.map((i) => i.id);
    expect(await ids({ credentialsIdentifier: 'okta:00uAbCdEf' })).toEqual([okta.id]);
    expect(await ids({ credentialsIdentifier: 'okta:00uabcdef' })).toEqual([]);
    expect(await ids({ credentialsIdentifier: 'OKTA-USER@example.com' })).toEqual([okta.id]);
    expect(await ids({ previewCredentialsIdentifierSimilar: 'okta:00uA' })).toEqual([okta.id]);
    expect(await ids({ previewCredentialsIdentifierSimilar: 'okta:00ua' })).toEqual([]);
    expect(await ids({ previewCredentialsIdentifierSimilar: 'Bobby_' })).toEqual([bobby.id]);
    expect(await ids({ previewCredentialsIdentifierSimilar: 'bobby%' })).toEqual([]);
  });

  it('shows the credentials include_credential names: the password hash for an export', async () => {
    const { data } = await api.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: exam('export@example.com'),
        credentials: {
          password: {
            config: { hashed_password: '$2a$04$wn6sPduOmoAk1gTKKDXHZuKJ0KvuNzBDs68.71N9qcQoo0Wr7c33i' },
          },
        },
      },
    });
    const { data: listed } = await api.listIdentities({ ids: [data.id], includeCredential: ['password'] });
    expect(listed[0]?.credentials?.password?.config).toEqual({
      hashed_password: '$2a$04$wn6sPduOmoAk1gTKKDXHZuKJ0KvuNzBDs68.71N9qcQoo0Wr7c33i',
    });
    const { data: got } = await api.getIdentity({ id: data.id, includeCredential: ['password'] });
    expect(got.credentials?.password?.config).toEqual(listed[0]?.credentials?.password?.config);
    const { data: plain } = await api.listIdentities({ ids: [data.id] });
    expect(plain[0]?.credentials?.password?.config).toBeUndefined();
    const bogus = await failure(
      api.getIdentity({
        id: data.id,
        includeCredential: ['smartcard' as string as GetIdentityIncludeCredentialEnum],
      }),
    );
    expect(bogus.status).toBe(400);
    expect(bogus.body.error.reason).toBe('Invalid value `smartcard` for parameter `include_credential`.');
  });

  it('batch-creates identities and reports each result', async () => {
    const patchIds = ['7b3c4f8e-8a3e-4f59-9a7e-0b9f5d0e1a01', '7b3c4f8e-8a3e-4f59-9a7e-0b9f5d0e1a02'];
    const { data } = await api.batchPatchIdentities({
      patchIdentitiesBody: {
        identities: [
          { patch_id: patchIds[0], create: { schema_id: 'exam', traits: exam('batch1@example.com') } },
          {
            patch_id: patchIds[1],
            create: { schema_id: 'exam', traits: exam('batch2@example.com', { user_type: 'admin' }) },
          },
        ],
      },
    });
    expect(data.identities?.[0]).toMatchObject({ action: 'create', patch_id: patchIds[0] });
    expect(data.identities?.[1]).toMatchObject({ action: 'error', patch_id: patchIds[1] });
  });

  it('imports a foreign hash and deletes a credential', async () => {
    const { data } = await api.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: exam('imported@example.com'),
        credentials: {
          password: {
            config: { hashed_password: '$2a$04$wn6sPduOmoAk1gTKKDXHZuKJ0KvuNzBDs68.71N9qcQoo0Wr7c33i' },
          },
          oidc: { config: { providers: [{ provider: 'google', subject: '1234' }] } },
        },
      },
    });
    expect(data.credentials?.oidc?.identifiers).toEqual(['google:1234']);
    const unsupported = await failure(
      api.createIdentity({
        createIdentityBody: {
          schema_id: 'exam',
          traits: exam('bad-hash@example.com'),
          credentials: { password: { config: { hashed_password: 'plain-text-is-not-a-hash' } } },
        },
      }),
    );
    expect(unsupported.status).toBe(400);

    await api.deleteIdentityCredentials({ id: data.id, type: 'oidc', identifier: 'google:1234' });
    const { data: after } = await api.getIdentity({ id: data.id });
    expect(after.credentials?.oidc).toBeUndefined();
    expect(after.credentials?.password).toBeDefined();
  });

  it('gets an identity by its external id, as by its id, and 404 for an unknown one', async () => {
    const { data: created } = await api.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        external_id: 'crm/1815 ä',
        traits: exam('external@example.com'),
        credentials: { password: { config: { password: 'correct horse battery staple' } } },
      },
    });
    const { data: byId } = await api.getIdentity({ id: created.id, includeCredential: ['password'] });
    const { status, data } = await api.getIdentityByExternalID({
      externalID: 'crm/1815 ä',
      includeCredential: ['password'],
    });
    expect(status).toBe(200);
    expect(data).toEqual(byId);
    expect(data.external_id).toBe('crm/1815 ä');
    // Asked for by name, the password's config is shown whole, as Kratos shows it.
    expect(data.credentials?.password?.config).toEqual({
      hashed_password: expect.stringMatching(/^\$argon2id\$/),
    });
    const { data: plain } = await api.getIdentityByExternalID({ externalID: 'crm/1815 ä' });
    expect(JSON.stringify(plain)).not.toContain('hashed_password');

    const unknown = await failure(api.getIdentityByExternalID({ externalID: 'crm/1816' }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 404, status: 'Not Found' });
  });

  it('deletes credentials as Kratos: identifier for oidc, 404 for what the identity lacks', async () => {
    const { data } = await api.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: exam('credentials@example.com'),
        credentials: {
          password: { config: { password: 'correct horse battery staple' } },
          oidc: { config: { providers: [{ provider: 'github', subject: 'octo-1' }] } },
        },
      },
    });
    const noIdentifier = await failure(api.deleteIdentityCredentials({ id: data.id, type: 'oidc' }));
    expect(noIdentifier.status).toBe(400);
    expect(noIdentifier.body.error).toMatchObject({ code: 400, status: 'Bad Request' });
    // As Kratos's deleteIdentityCredentials: a credential the identity lacks is a 404 first, whatever
    // its type (passkey and code are a 400 only for an identity that holds them).
    for (const type of ['saml', 'passkey', 'code'] as const) {
      expect((await failure(api.deleteIdentityCredentials({ id: data.id, type }))).status, type).toBe(404);
    }
    const never = await failure(api.deleteIdentityCredentials({ id: data.id, type: 'identifier_first' }));
    expect(never.status).toBe(404);

    expect((await api.deleteIdentityCredentials({ id: data.id, type: 'password' })).status).toBe(204);
    const { data: after } = await api.getIdentity({ id: data.id });
    // The secret goes; the schema's identifier stays, as Kratos keeps it, so the identity is still
    // found by it. The github account is now its only way in: as Kratos, neither it nor the
    // (empty) password credential may go.
    expect(after.credentials?.password?.identifiers).toEqual(['credentials@example.com']);
    expect(after.credentials?.oidc?.identifiers).toEqual(['github:octo-1']);
    const { data: found } = await api.listIdentities({ credentialsIdentifier: 'credentials@example.com' });
    expect(found.map((i) => i.id)).toEqual([data.id]);
    for (const [type, identifier] of [
      ['password', undefined],
      ['oidc', 'github:octo-1'],
    ] as const) {
      const last = await failure(api.deleteIdentityCredentials({ id: data.id, type, identifier }));
      expect([type, last.status, last.body.error?.reason]).toEqual([
        type,
        400,
        'You cannot remove the last first factor credential.',
      ]);
    }
    expect((await api.getIdentity({ id: data.id })).data.credentials?.oidc?.identifiers).toEqual([
      'github:octo-1',
    ]);
    const signIn = await fetch(`${server.publicUrl}/self-service/login/api`).then((r) => r.json());
    const refused = await fetch(
      `${server.publicUrl}/self-service/login?flow=${(signIn as { id: string }).id}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          method: 'password',
          identifier: 'credentials@example.com',
          password: 'correct horse battery staple',
        }),
      },
    );
    expect(refused.status).toBe(400);
  });

  it('serves the same routes without the /admin prefix', async () => {
    const response = await fetch(`${server.adminUrl}/identities?page_size=1`);
    expect(response.status).toBe(200);
    expect(Array.isArray(await response.json())).toBe(true);
  });

  it('answers bad bodies with Kratos errors: 400 bad JSON, 413 too large, 415 wrong type', async () => {
    const post = (body: string, type: string) =>
      fetch(`${server.adminUrl}/admin/identities`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
    const badJson = await post('{"schema_id":', 'application/json');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { code: 400, status: 'Bad Request' } });
    const big = await post(
      JSON.stringify({ schema_id: 'exam', traits: { fullname: 'x'.repeat(2 * 1024 * 1024) } }),
      'application/json',
    );
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 413 } });
    const text = await post('hello', 'text/plain');
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: { code: 415 } });
    const missing = await fetch(`${server.adminUrl}/admin/identities/not-a-uuid`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 404, status: 'Not Found' } });
  });

  it('serves schemas, health and version', async () => {
    const schemas = (await (await fetch(`${server.publicUrl}/schemas`)).json()) as { id: string }[];
    expect(schemas.map((s) => s.id).sort()).toEqual(['default', 'exam']);
    const byEncodedId = await fetch(`${server.publicUrl}/schemas/ZXhhbQ`);
    expect(((await byEncodedId.json()) as { title: string }).title).toBe('Exam user');
    expect((await fetch(`${server.publicUrl}/schemas/exam`)).status).toBe(200);
    expect((await fetch(`${server.publicUrl}/schemas/unknown`)).status).toBe(404);
    for (const base of [server.publicUrl, server.adminUrl]) {
      expect((await fetch(`${base}/health/alive`)).status).toBe(200);
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
      expect(await (await fetch(`${base}/version`)).json()).toMatchObject({
        version: expect.stringMatching(/^v\d/),
      });
    }
  });
});
