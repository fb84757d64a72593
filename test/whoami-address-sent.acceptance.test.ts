/**
 * A verification message moves its address from `pending` to `sent`. whoami answers from the
 * cache (memory, and Redis when REDIS_URL is set), so the message must drop the identity's cached
 * entry, or whoami shows `pending` until that entry expires.
 */
import type { Identity } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { createPasswordIdentity, examTraits, loginWithPassword, PASSWORD } from './support/identities.js';
import { mailTo } from './support/mail.js';

describe.each(testDatabases())("whoami's identity after a verification message ($name)", (database) => {
  const t = useCourierServer(database, {
    redis: true,
    flows: {
      registration: { style: 'unified', after: { password: { hooks: [{ hook: 'session' }] } } },
      verification: { enabled: true, use: 'code' },
    },
  });

  async function whoamiAddressStatus(token: string): Promise<string | undefined> {
    const answer = await fetch(`${t.server.publicUrl}/sessions/whoami`, {
      headers: { 'x-session-token': token },
    });
    expect(answer.status).toBe(200);
    const { identity } = (await answer.json()) as { identity: Identity };
    return identity.verifiable_addresses?.[0]?.status;
  }

  it('shows the address as `sent` once the verification flow sent its code', async () => {
    const email = 'whoami-sent@example.test';
    await createPasswordIdentity(t.admin, examTraits(email), PASSWORD);
    const { data: login } = await loginWithPassword(t.frontend, email, PASSWORD);
    const token = login.session_token ?? '';
    // whoami now holds the identity with its address not yet mailed.
    expect(await whoamiAddressStatus(token)).toBe('pending');

    const { data: flow } = await t.frontend.createNativeVerificationFlow();
    const before = t.smtp.messages.length;
    await t.frontend.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: 'code', email },
    });
    await mailTo(t.smtp, email, before);
    expect(await whoamiAddressStatus(token)).toBe('sent');
  });

  it('shows the address as `sent` after a registration mailed its verification code', async () => {
    const email = 'whoami-registered@example.test';
    const { data: flow } = await t.frontend.createNativeRegistrationFlow();
    const before = t.smtp.messages.length;
    const { data: registered } = await t.frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: { method: 'password', traits: examTraits(email), password: PASSWORD },
    });
    await mailTo(t.smtp, email, before);
    expect(await whoamiAddressStatus(registered.session_token ?? '')).toBe('sent');
  });
});
