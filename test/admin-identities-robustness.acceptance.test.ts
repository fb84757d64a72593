/**
 * Admin identity bodies that used to answer 500 or were read unlike Kratos (the admin API probe's
 * defects 1-6), against a whole server with raw JSON, as a client that is not @ory/client sends it.
 */
import { describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { useTestServer } from './support/suite-server.js';

const PATCH_FAILED = 'An error occured when applying the JSON patch';
const CONFLICT = 'This identity conflicts with another identity that already exists.';
const BCRYPT = '$2a$04$wn6sPduOmoAk1gTKKDXHZuKJ0KvuNzBDs68.71N9qcQoo0Wr7c33i';

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: Record<string, unknown> };
}

/** Kratos's error body: code, status, message, perhaps a reason; nothing else. */
function expectKratosError(answer: Answer, code: number): Record<string, unknown> {
  expect(answer.status, JSON.stringify(answer.body)).toBe(code);
  const error = answer.body.error ?? {};
  expect(error.code).toBe(code);
  expect(typeof error.status).toBe('string');
  expect(typeof error.message).toBe('string');
  for (const key of Object.keys(error)) expect(['id', 'code', 'status', 'reason', 'message']).toContain(key);
  return error;
}

/** `depth` arrays, one inside the other, as JSON text: `[[[...]]]`. */
const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe.each(testDatabases())('admin identity bodies that used to fail with 500 ($name)', (database) => {
  const suite = useTestServer(database, {});

  async function send(
    method: string,
    path: string,
    body?: unknown,
    raw?: string,
    contentType = 'application/json',
  ): Promise<Answer> {
    const response = await fetch(`${suite.server.adminUrl}/admin${path}`, {
      method,
      headers: body === undefined && raw === undefined ? {} : { 'content-type': contentType },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : JSON.parse(text) };
  }
  const emailBody = (email: string, extra: Record<string, unknown> = {}) => ({
    schema_id: 'default',
    traits: { email },
    ...extra,
  });
  async function created(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = await send('POST', '/identities', body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body;
  }

  describe('1. an imported verified_at that is no date-time', () => {
    it('is a 400 on create, as Go decoding sqlxx.NullTime refuses it; a date-time or null is taken', async () => {
      for (const verified_at of ['garbage', '', '2020-13-45T99:00:00Z', 5]) {
        const answer = await send(
          'POST',
          '/identities',
          emailBody('vd1@example.com', {
            verifiable_addresses: [{ value: 'vd1@example.com', via: 'email', verified: true, verified_at }],
          }),
        );
        expectKratosError(answer, 400);
      }
      const identity = await created(
        emailBody('vd2@example.com', {
          verifiable_addresses: [
            { value: 'vd2@example.com', via: 'email', verified: true, verified_at: '2020-01-02T03:04:05Z' },
          ],
        }),
      );
      expect(identity.verifiable_addresses).toMatchObject([
        { value: 'vd2@example.com', verified: true, verified_at: '2020-01-02T03:04:05.000Z' },
      ]);
      await created(
        emailBody('vd3@example.com', {
          verifiable_addresses: [
            { value: 'vd3@example.com', via: 'email', verified: true, verified_at: null },
          ],
        }),
      );
    });

    it("is a 400 in a JSON Patch, with Kratos's patch reason", async () => {
      const { id } = await created(emailBody('vd4@example.com'));
      for (const verified of [true, false]) {
        const answer = await send('PATCH', `/identities/${id}`, [
          { op: 'replace', path: '/verifiable_addresses/0/verified', value: verified },
          { op: 'replace', path: '/verifiable_addresses/0/verified_at', value: 'notadate' },
        ]);
        expect(expectKratosError(answer, 400).reason).toBe(PATCH_FAILED);
      }
      const alone = await send('PATCH', `/identities/${id}`, [
        { op: 'replace', path: '/verifiable_addresses/0/verified_at', value: 'notadate' },
      ]);
      expect(expectKratosError(alone, 400).reason).toBe(PATCH_FAILED);
      const dated = await send('PATCH', `/identities/${id}`, [
        { op: 'replace', path: '/verifiable_addresses/0/verified', value: true },
        { op: 'replace', path: '/verifiable_addresses/0/verified_at', value: '2021-05-06T07:08:09Z' },
      ]);
      expect(dated.status).toBe(200);
      expect(dated.body.verifiable_addresses).toMatchObject([
        { verified: true, verified_at: '2021-05-06T07:08:09.000Z' },
      ]);
    });
  });

  describe('2. addresses of a JSON Patch that do not decode into an identity', () => {
    it("are a 400 with Kratos's patch reason, the identity unchanged", async () => {
      const identity = await created(emailBody('vp1@example.com'));
      const id = String(identity.id);
      const malformed = [
        { op: 'replace', path: '/verifiable_addresses/0', value: 'str' },
        { op: 'replace', path: '/verifiable_addresses/0/value', value: 5 },
        { op: 'replace', path: '/verifiable_addresses/0/via', value: {} },
        { op: 'replace', path: '/verifiable_addresses/0/verified', value: 'yes' },
        { op: 'replace', path: '/verifiable_addresses', value: 'str' },
        { op: 'replace', path: '/verifiable_addresses', value: [5] },
        { op: 'replace', path: '/recovery_addresses', value: 'str' },
        { op: 'replace', path: '/recovery_addresses', value: ['str'] },
        { op: 'replace', path: '/recovery_addresses/0', value: 'str' },
        { op: 'replace', path: '/recovery_addresses/0/value', value: 5 },
        { op: 'replace', path: '/recovery_addresses/0/created_at', value: 'notadate' },
      ];
      for (const operation of malformed) {
        const answer = await send('PATCH', `/identities/${id}`, [operation]);
        expect(expectKratosError(answer, 400).reason, JSON.stringify(operation)).toBe(PATCH_FAILED);
      }
      const after = await send('GET', `/identities/${id}`);
      expect(after.body.verifiable_addresses).toEqual(identity.verifiable_addresses);
      expect(after.body.recovery_addresses).toEqual(identity.recovery_addresses);
    });

    it('takes a null address as Go does (a zero address matching none of the traits)', async () => {
      const identity = await created(emailBody('vp2@example.com'));
      for (const path of ['/verifiable_addresses', '/recovery_addresses']) {
        const answer = await send('PATCH', `/identities/${String(identity.id)}`, [
          { op: 'replace', path, value: [null] },
        ]);
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(answer.body.verifiable_addresses).toMatchObject([{ value: 'vp2@example.com' }]);
        expect(answer.body.recovery_addresses).toMatchObject([{ value: 'vp2@example.com' }]);
      }
    });
  });

  describe('3. deeply nested JSON', () => {
    it('is a 400 in Kratos shape, never a 500, on every JSON body', async () => {
      const deep = nestedArrays(5000);
      const cases: [string, string, string, string?][] = [
        [
          'POST',
          '/identities',
          `{"schema_id":"default","traits":{"email":"deep1@example.com"},"metadata_public":${deep}}`,
        ],
        ['POST', '/identities', `{"schema_id":"default","traits":{"email":"deep1@example.com","x":${deep}}}`],
        [
          'POST',
          '/identities',
          `{"schema_id":"default","traits":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`,
        ],
        ['PATCH', '/identities', `{"identities":[{"create":{"schema_id":"default","traits":${deep}}}]}`],
        [
          'PATCH',
          '/identities/00000000-0000-4000-8000-000000000000',
          `[{"op":"add","path":"/metadata_public","value":${deep}}]`,
          'application/json-patch+json',
        ],
      ];
      for (const [method, path, raw, contentType] of cases) {
        const answer = await send(method, path, undefined, raw, contentType);
        expectKratosError(answer, 400);
      }
      expect((await send('GET', '/identities?credentials_identifier=deep1@example.com')).body).toEqual([]);
    });

    it('takes nesting well beyond any real identity', async () => {
      const identity = await created(
        emailBody('deep2@example.com', { metadata_public: JSON.parse(nestedArrays(500)) }),
      );
      const read = await send('GET', `/identities/${String(identity.id)}`);
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body.metadata_public)).toBe(nestedArrays(500));
      // Brackets inside strings (an escaped quote before them too) nest nothing.
      const text = `\\"${'['.repeat(5000)}`;
      const inString = await created(emailBody('deep4@example.com', { metadata_admin: { text } }));
      expect(inString.metadata_admin).toEqual({ text });
    });

    it('is a 400 when patches would stack metadata deeper than a body may carry', async () => {
      const { id } = await created(emailBody('deep3@example.com', { metadata_public: { a: {} } }));
      let path = '/metadata_public/a';
      let last: Answer | undefined;
      for (let round = 0; round < 12; round++) {
        const value = JSON.parse(`${'{"a":'.repeat(400)}{}${'}'.repeat(400)}`);
        last = await send('PATCH', `/identities/${String(id)}`, [{ op: 'add', path: `${path}/a`, value }]);
        if (last.status !== 200) break;
        path += '/a'.repeat(401);
      }
      expect(last && expectKratosError(last, 400).reason).toBe(PATCH_FAILED);
      expect((await send('GET', `/identities/${String(id)}`)).status).toBe(200);
    });
  });

  describe('4. one provider account twice among the oidc links', () => {
    // Each test its own account: one linked by another identity would be a conflict anyway.
    const providers = (subject: string) => [
      { provider: 'github', subject },
      { provider: 'github', subject },
    ];

    it("is refused on create with Kratos's 409, nothing created", async () => {
      const answer = await send(
        'POST',
        '/identities',
        emailBody('dup1@example.com', { credentials: { oidc: { config: { providers: providers('x1') } } } }),
      );
      expect(expectKratosError(answer, 409).reason).toBe(CONFLICT);
      expect((await send('GET', '/identities?credentials_identifier=dup1@example.com')).body).toEqual([]);
    });

    it('is refused on PUT, the links unchanged, so the last-first-factor guard holds', async () => {
      const identity = await created(
        emailBody('dup2@example.com', {
          credentials: { oidc: { config: { providers: [{ provider: 'google', subject: 'g1' }] } } },
        }),
      );
      const id = String(identity.id);
      const put = await send('PUT', `/identities/${id}`, {
        schema_id: 'default',
        traits: { email: 'dup2@example.com' },
        state: 'active',
        credentials: { oidc: { config: { providers: providers('x2') } } },
      });
      expect(expectKratosError(put, 409).reason).toBe(CONFLICT);
      const read = await send('GET', `/identities/${id}?include_credential=oidc`);
      const oidc = (read.body.credentials as Record<string, { identifiers: string[] }>).oidc;
      expect(oidc?.identifiers).toEqual(['google:g1']);
      const removed = await send('DELETE', `/identities/${id}/credentials/oidc?identifier=google:g1`);
      expect(expectKratosError(removed, 400).reason).toBe(
        'You cannot remove the last first factor credential.',
      );
    });

    it('is an error item of the batch with the unique-violation body', async () => {
      const answer = await send('PATCH', '/identities', {
        identities: [
          {
            create: emailBody('dup3@example.com', {
              credentials: { oidc: { config: { providers: providers('x3') } } },
            }),
          },
        ],
      });
      expect(answer.status).toBe(200);
      expect(answer.body.identities).toEqual([
        { action: 'error', error: expect.objectContaining({ code: 409, status: 'Conflict' }) },
      ]);
    });
  });

  describe('5. batch size with plain-text passwords', () => {
    const item = (n: number, plain: boolean) => ({
      create: emailBody(`batch-${n}@example.com`, {
        credentials: {
          password: { config: plain ? { password: 'a plain one 123' } : { hashed_password: BCRYPT } },
        },
      }),
    });

    it('counts the items with a plain-text password against 200, as Kratos (withUnHashedPasswordCount)', async () => {
      const tooMany = await send('PATCH', '/identities', {
        identities: Array.from({ length: 201 }, (_, n) => item(n, true)),
      });
      expect(expectKratosError(tooMany, 400).reason).toBe(
        'The maximum number of identities per request that can be created with a plaintext password is 200.',
      );
      // "" is no plain-text password to hash (Kratos counts `Password != ""`).
      const empty = Array.from({ length: 201 }, (_, n) => ({
        create: emailBody(`batch-empty-${n}@example.com`, {
          credentials: { password: { config: { password: '', hashed_password: BCRYPT } } },
        }),
      }));
      const emptyAnswer = await send('PATCH', '/identities', { identities: empty });
      expect(emptyAnswer.status).toBe(200);
      expect((emptyAnswer.body.identities as { action: string }[]).every((i) => i.action === 'create')).toBe(
        true,
      );

      const mixed = await send('PATCH', '/identities', {
        identities: Array.from({ length: 300 }, (_, n) => item(1000 + n, n === 0)),
      });
      expect(mixed.status).toBe(200);
      expect((mixed.body.identities as unknown[]).length).toBe(300);
    }, 60_000);
  });

  describe('6. bodies Kratos decodes with defaults', () => {
    it('creates with the default schema for no or an empty schema_id, active for an empty state, null as absent', async () => {
      const noSchema = await created({
        traits: { email: 'def1@example.com', fullname: 'Ada', phone_number: 1, user_type: 'student' },
      });
      expect(noSchema.schema_id).toBe('exam');
      const empty = await created({
        schema_id: '',
        traits: { email: 'def2@example.com', fullname: 'Ada', phone_number: 1, user_type: 'student' },
      });
      expect(empty.schema_id).toBe('exam');
      const nulls = await created({
        schema_id: null,
        traits: { email: 'def3@example.com', fullname: 'Ada', phone_number: 1, user_type: 'student' },
        state: null,
        credentials: null,
        verifiable_addresses: null,
        recovery_addresses: null,
        external_id: null,
      });
      expect(nulls).toMatchObject({ schema_id: 'exam', state: 'active' });
      expect(nulls.external_id).toBeUndefined();
      const emptyState = await created(emailBody('def4@example.com', { state: '' }));
      expect(emptyState.state).toBe('active');
      const nullCredentials = await created(
        emailBody('def5@example.com', { credentials: { password: null, oidc: null } }),
      );
      expect(nullCredentials.state).toBe('active');
      expectKratosError(
        await send('POST', '/identities', emailBody('def6@example.com', { state: 'bogus' })),
        400,
      );
      // NullUUID takes null, not "" (gofrs/uuid: incorrect UUID length 0).
      expectKratosError(
        await send('POST', '/identities', emailBody('def6@example.com', { organization_id: '' })),
        400,
      );
    });

    it('keeps the credentials on a PUT with credentials null, as Kratos (ur.Credentials == nil)', async () => {
      const identity = await created(
        emailBody('def7@example.com', { credentials: { password: { config: { hashed_password: BCRYPT } } } }),
      );
      const id = String(identity.id);
      const put = await send('PUT', `/identities/${id}`, {
        schema_id: null,
        traits: { email: 'def7@example.com' },
        state: null,
        credentials: null,
        external_id: null,
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body).toMatchObject({ schema_id: 'default', state: 'active' });
      const read = await send('GET', `/identities/${id}?include_credential=password`);
      const password = (read.body.credentials as Record<string, { config: Record<string, unknown> }>)
        .password;
      expect(password?.config.hashed_password).toBe(BCRYPT);
    });
  });
});
