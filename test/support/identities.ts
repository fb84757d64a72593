import type { FrontendApi, Identity, IdentityApi } from '@ory/client';
import type { IssuedSession } from '../../src/session/manager.js';
import type { TestServer } from './server.js';
import { issueSessions } from './sessions.js';

/** A password the breach check is turned off for in the suites that use it. */
export const PASSWORD = 'correct horse battery staple';

/** Traits valid under the `exam` schema (test/fixtures/exam.schema.json) for `email`. */
export const examTraits = (email: string, fullname = 'Ada') => ({
  email,
  fullname,
  phone_number: 5550100,
  user_type: 'educator',
});

/** An identity of the `exam` schema with a password, created through the admin API as an operator would. */
export async function createPasswordIdentity(
  admin: IdentityApi,
  traits: Record<string, unknown>,
  password: string,
) {
  const { data } = await admin.createIdentity({
    createIdentityBody: { schema_id: 'exam', traits, credentials: { password: { config: { password } } } },
  });
  return data;
}

/** Signs `identifier` in with `password` through a native login flow, as an app does. */
export async function loginWithPassword(frontend: FrontendApi, identifier: string, password: string) {
  const { data: flow } = await frontend.createNativeLoginFlow();
  return frontend.updateLoginFlow({
    flow: flow.id,
    updateLoginFlowBody: { method: 'password', identifier, password },
  });
}

/** An identity of the `exam` schema without credentials, created through the admin API as an operator would. */
export async function createExamIdentity(admin: IdentityApi, email: string): Promise<Identity> {
  const { data } = await admin.createIdentity({
    createIdentityBody: { schema_id: 'exam', traits: examTraits(email) },
  });
  return data;
}

/** Where `signedIn` creates the identity (`admin`) and issues its sessions (`server`): a `useTestServer` suite. */
export interface SignInTarget {
  readonly server: TestServer;
  readonly admin: IdentityApi;
}

/**
 * A person with `count` sessions: an `exam` identity created through the admin API, its
 * sessions issued in process (the HTTP login flow has its own tests). What session tests start from.
 */
export async function signedIn(
  target: SignInTarget,
  email: string,
  count = 1,
): Promise<{ identity: Identity; sessions: IssuedSession[] }> {
  const identity = await createExamIdentity(target.admin, email);
  return { identity, sessions: await issueSessions(target.server, identity.id, count) };
}

/** A person with one session: the identity, that session and its token. */
export async function signedInOnce(
  target: SignInTarget,
  email: string,
): Promise<{ identity: Identity } & IssuedSession> {
  const {
    identity,
    sessions: [issued],
  } = await signedIn(target, email);
  if (!issued) throw new Error(`no session issued for ${email}`);
  return { identity, ...issued };
}
