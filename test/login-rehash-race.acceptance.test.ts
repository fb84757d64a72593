/**
 * A sign-in re-hashes a password stored in a foreign or outdated format. When the password is
 * changed between the sign-in reading the identity and storing the new hash, the change wins:
 * the re-hash is conditional on the identity's version and is skipped, the sign-in still
 * succeeds, and the new password is the one that works (the review's finding F1). The change is
 * a real admin PUT, made at the moment the sign-in is about to store the re-hash.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import type { TestServer } from './support/server.js';
import { useTestServer } from './support/suite-server.js';

const OLD_PASSWORD = 'the password imported from the old system';
const NEW_PASSWORD = 'the password its owner just chose';
const traits = (email: string) => ({ email, fullname: 'Ada', phone_number: 5550100, user_type: 'educator' });
/** Kratos's md5 import format: a hash this server's argon2 hasher re-hashes at the next sign-in. */
const md5Of = (password: string) => `$md5$${createHash('md5').update(password).digest('base64')}`;

async function login(server: TestServer, email: string, password: string): Promise<number> {
  const flow = (await (await fetch(`${server.publicUrl}/self-service/login/api`)).json()) as { id: string };
  const answer = await fetch(`${server.publicUrl}/self-service/login?flow=${flow.id}`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ method: 'password', identifier: email, password }),
  });
  await answer.arrayBuffer();
  return answer.status;
}

describe.each(testDatabases())('a login re-hash racing a password change ($name)', (database) => {
  const t = useTestServer(database, {
    redis: true,
    extraConfig: {
      selfservice: {
        default_browser_return_url: 'http://app.example.test/',
        methods: { password: { config: { haveibeenpwned_enabled: false } } },
      },
    },
  });

  it('never puts back the password the sign-in checked; the sign-in still succeeds', async () => {
    const email = 'rehash-race@example.test';
    const { data: created } = await t.admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits(email),
        credentials: { password: { config: { hashed_password: md5Of(OLD_PASSWORD) } } },
      },
    });
    // The owner sets a new password just before the sign-in stores its re-hash of the old one.
    const store = t.server.registry.identityStore;
    const updateCredentialConfig = store.updateCredentialConfig;
    store.updateCredentialConfig = async (...args) => {
      store.updateCredentialConfig = updateCredentialConfig;
      const put = await fetch(`${t.server.adminUrl}/admin/identities/${created.id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          schema_id: 'exam',
          state: 'active',
          traits: traits(email),
          credentials: { password: { config: { password: NEW_PASSWORD } } },
        }),
      });
      expect(put.status).toBe(200);
      return updateCredentialConfig.apply(store, args);
    };
    expect(await login(t.server, email, OLD_PASSWORD)).toBe(200);
    expect(store.updateCredentialConfig).toBe(updateCredentialConfig);

    expect(await login(t.server, email, NEW_PASSWORD)).toBe(200);
    expect(await login(t.server, email, OLD_PASSWORD)).toBe(400);
  });

  it('still re-hashes when nothing changed meanwhile', async () => {
    const email = 'rehash-quiet@example.test';
    const { data: created } = await t.admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits(email),
        credentials: { password: { config: { hashed_password: md5Of(OLD_PASSWORD) } } },
      },
    });
    expect(await login(t.server, email, OLD_PASSWORD)).toBe(200);
    const stored = await t.server.registry.identityStore.get(created.id);
    expect(String(stored?.credentials.password?.config.hashed_password)).toMatch(/^\$argon2id\$/);
    expect(await login(t.server, email, OLD_PASSWORD)).toBe(200);
  });
});
