import type { FrontendApi, IdentityApi } from '@ory/client';

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
