import type { IssuedSession } from '../../src/session/manager.js';
import type { TestServer } from './server.js';

/**
 * `count` password sessions of an existing identity, issued in process as a login would issue
 * them (the HTTP login flow has its own tests): what session tests start from.
 */
export async function issueSessions(
  server: TestServer,
  identityId: string,
  count = 1,
): Promise<IssuedSession[]> {
  const identity = await server.registry.identityStore.get(identityId);
  if (!identity) throw new Error(`identity ${identityId} is not stored`);
  const issued: IssuedSession[] = [];
  for (let i = 0; i < count; i++) {
    issued.push(
      await server.registry.sessions.issue(identity, {
        methods: [{ method: 'password', aal: 'aal1', completed_at: new Date() }],
        aal: 'aal1',
        device: { ipAddress: '127.0.0.1', userAgent: 'vitest' },
      }),
    );
  }
  return issued;
}

/**
 * Makes every session of the identity two hours old (`authenticated_at` moved back in the store):
 * older than a `privileged_session_max_age` of an hour or less, without sleeping or a clock.
 */
export async function ageSessions(server: TestServer, identityId: string): Promise<void> {
  await server.registry.database.db
    .updateTable('sessions')
    .set({ authenticated_at: new Date(Date.now() - 2 * 3_600_000) })
    .where('identity_id', '=', identityId)
    .execute();
}
