import { Configuration, IdentityApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { failure as clientFailure } from './support/failure.js';
import { startTestServer, type TestServer } from './support/server.js';

/** Admin API failures carry Kratos's error body. */
const failure = (call: Promise<unknown>) => clientFailure<{ error: Record<string, unknown> }>(call);

const traits = (email: string) => ({ email, fullname: 'Ada', phone_number: 5550001, user_type: 'educator' });

describe.each(testDatabases())('admin API: an identity keeps its ways in ($name)', (database) => {
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

  it('adds the oidc accounts of a PUT to the linked ones, as Kratos, instead of unlinking', async () => {
    const { data: created } = await api.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits('linked@example.com'),
        credentials: { oidc: { config: { providers: [{ provider: 'google', subject: '111' }] } } },
      },
    });
    const put = (providers: Array<{ provider: string; subject: string }>) =>
      api.updateIdentity({
        id: created.id,
        updateIdentityBody: {
          schema_id: 'exam',
          traits: traits('linked@example.com'),
          state: 'active',
          credentials: { oidc: { config: { providers } } },
        },
      });
    const { data: updated } = await put([{ provider: 'github', subject: '222' }]);
    expect(updated.credentials?.oidc?.identifiers).toEqual(['google:111', 'github:222']);
    // An account already linked is not added twice.
    const { data: again } = await put([{ provider: 'google', subject: '111' }]);
    expect(again.credentials?.oidc?.identifiers).toEqual(['google:111', 'github:222']);
    // Unlinking is what the credentials DELETE is for.
    await api.deleteIdentityCredentials({ id: created.id, type: 'oidc', identifier: 'google:111' });
    const { data: after } = await api.getIdentity({ id: created.id });
    expect(after.credentials?.oidc?.identifiers).toEqual(['github:222']);
  });

  it('refuses to delete the last first-factor credential, as Kratos, and keeps it', async () => {
    const { data } = await api.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits('only-password@example.com'),
        credentials: { password: { config: { password: 'correct horse battery staple' } } },
      },
    });
    const refused = await failure(api.deleteIdentityCredentials({ id: data.id, type: 'password' }));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 400,
      reason: 'You cannot remove the last first factor credential.',
    });
    const { data: kept } = await api.getIdentity({ id: data.id, includeCredential: ['password'] });
    expect(kept.credentials?.password?.identifiers).toEqual(['only-password@example.com']);
    // The password still signs in.
    const flow = (await fetch(`${server.publicUrl}/self-service/login/api`).then((r) => r.json())) as {
      id: string;
    };
    const login = await fetch(`${server.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        method: 'password',
        identifier: 'only-password@example.com',
        password: 'correct horse battery staple',
      }),
    });
    expect(login.status).toBe(200);
  });
});
