import { randomBytes } from 'node:crypto';
import { Configuration, FrontendApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { startTestServer, type TestServer } from './support/server.js';
import { statusOf } from './support/status-of.js';

const postgres = testDatabases().find((d) => d.name === 'postgres');

/** The status of a whoami with `token` on the replica `api` talks to. */
const whoamiStatus = (api: FrontendApi, token: string) => statusOf(api.toSession({ xSessionToken: token }));

/**
 * The other replica learns of a revocation through Redis pub/sub, a message that may still be
 * in flight when the revoking request has answered: poll briefly (bounded) for it.
 */
async function eventuallyUnauthorized(api: FrontendApi, token: string): Promise<number> {
  let status = await whoamiStatus(api, token);
  for (let i = 0; i < 40 && status !== 401; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await whoamiStatus(api, token);
  }
  return status;
}

/**
 * Two replicas of one deployment: one PostgreSQL database, one Redis. A session revoked or a
 * logout on one replica stops working on the other at once, although the other had it cached.
 */
describe.skipIf(!postgres || !process.env.REDIS_URL)('two replicas over PostgreSQL and Redis', () => {
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;
  let apiA: FrontendApi;
  let apiB: FrontendApi;

  beforeAll(async () => {
    if (!postgres) return;
    const db = await postgres.create();
    drop = db.drop;
    const redisKeyPrefix = `portcullis-test-${randomBytes(6).toString('hex')}:`;
    const extraConfig = {
      selfservice: {
        default_browser_return_url: 'http://app.example.test/',
        methods: { password: { config: { haveibeenpwned_enabled: false } } },
        flows: { registration: { style: 'unified', after: { password: { hooks: [{ hook: 'session' }] } } } },
      },
    };
    a = await startTestServer({ dsn: db.dsn, redis: true, redisKeyPrefix, extraConfig });
    b = await startTestServer({ dsn: db.dsn, redis: true, redisKeyPrefix, extraConfig });
    apiA = new FrontendApi(new Configuration({ basePath: a.publicUrl }));
    apiB = new FrontendApi(new Configuration({ basePath: b.publicUrl }));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  async function signUp(email: string): Promise<{ token: string; sessionId: string }> {
    const { data: flow } = await apiA.createNativeRegistrationFlow();
    const { data } = await apiA.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: 'password',
        traits: { email, fullname: 'Evelyn Boyd Granville', phone_number: 5550104, user_type: 'educator' },
        password: 'a passphrase for two replicas',
      },
    });
    return { token: data.session_token ?? '', sessionId: data.session?.id ?? '' };
  }

  it('a logout on replica A ends the session cached on replica B', async () => {
    const { token } = await signUp('replica-logout@example.com');
    expect(await whoamiStatus(apiB, token)).toBe(200);
    expect(await whoamiStatus(apiB, token)).toBe(200);
    await apiA.performNativeLogout({ performNativeLogoutBody: { session_token: token } });
    expect(await eventuallyUnauthorized(apiB, token)).toBe(401);
  });

  it('an admin revocation on replica B ends the session cached on replica A', async () => {
    const { token, sessionId } = await signUp('replica-revoke@example.com');
    expect(await whoamiStatus(apiA, token)).toBe(200);
    const revoked = await fetch(`${b.adminUrl}/admin/sessions/${sessionId}`, { method: 'DELETE' });
    expect(revoked.status).toBe(204);
    expect(await eventuallyUnauthorized(apiA, token)).toBe(401);
  });
});
