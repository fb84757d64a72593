import { describe, expect, it } from 'vitest';
import type { Identity } from '../../identity/model.js';
import { identityFixture } from '../../persistence/testing/identity-fixtures.js';
import type { FlowType, SelfServiceFlow } from '../flow/flow.js';
import type { VerificationSender } from '../verification/sender.js';
import { afterSettings } from './hooks.js';

/** A recording stand-in for our own verification port. */
function recordingSender(): VerificationSender & {
  calls: { addresses: readonly string[]; type: FlowType }[];
} {
  const calls: { addresses: readonly string[]; type: FlowType }[] = [];
  return {
    calls,
    async sendForAddresses(_identity, addresses, context) {
      calls.push({ addresses, type: context.type });
      // As the real sender with the legacy flag: a flow per address, the UI's URL for browser
      // flows only.
      return addresses.map((address, i) => ({
        flowId: `a1f0c3de-0000-4000-8000-00000000000${i + 1}`,
        address,
        ...(context.type === 'browser' ? { url: 'https://ui/verify' } : {}),
      }));
    },
  };
}

function recordingSessions() {
  const revoked: { identityId: string; exceptId?: string }[] = [];
  /** The identities whose cached view was dropped, and the state each was told. */
  const changed: { identityId: string; state: string | undefined }[] = [];
  return {
    revoked,
    changed,
    async revokeIdentitySessions(identityId: string, exceptId?: string) {
      revoked.push({ identityId, exceptId });
      return 1;
    },
    async identityChanged(identityId: string, identity: Identity | undefined) {
      changed.push({ identityId, state: identity?.state });
    },
  };
}

const config = (hooks: string[]) => ({
  settings: {
    uiUrl: 'https://ui/settings',
    lifespanMs: 3_600_000,
    privilegedSessionMaxAgeMs: 900_000,
    before: [],
    after: {
      hooks: () => hooks.map((hook) => ({ hook, config: {} })),
      ownHooks: () => hooks.map((hook) => ({ hook, config: {} })),
      returnUrl: () => 'https://app/',
    },
  },
});

const before = identityFixture('ada@example.com');
const verified = (identity: Identity): Identity => ({
  ...identity,
  verifiable_addresses: identity.verifiable_addresses.map((a) => ({
    ...a,
    verified: true,
    status: 'completed',
  })),
});
const changedEmail = identityFixture('ada@lovelace.org', { id: before.id });
const flow = (type: FlowType) =>
  ({ type, request_url: 'https://id/self-service/settings/browser' }) as SelfServiceFlow;

describe('afterSettings', () => {
  it('sends verification to a changed email and shows it in continue_with, url as the sender gives it', async () => {
    const verification = recordingSender();
    const deps = { verification, sessions: recordingSessions(), config: config([]) };
    const browser = await afterSettings(deps, {
      method: 'profile',
      flow: flow('browser'),
      before: verified(before),
      after: changedEmail,
      sessionId: 's1',
    });
    expect(verification.calls).toEqual([{ addresses: ['ada@lovelace.org'], type: 'browser' }]);
    expect(browser).toEqual([
      {
        action: 'show_verification_ui',
        flow: {
          id: 'a1f0c3de-0000-4000-8000-000000000001',
          verifiable_address: 'ada@lovelace.org',
          url: 'https://ui/verify',
        },
      },
    ]);
    const native = await afterSettings(deps, {
      method: 'profile',
      flow: flow('api'),
      before,
      after: changedEmail,
      sessionId: 's1',
    });
    expect(native[0]).toEqual({
      action: 'show_verification_ui',
      flow: { id: 'a1f0c3de-0000-4000-8000-000000000001', verifiable_address: 'ada@lovelace.org' },
    });
  });

  it('shows every verification flow the sender started, one continue_with item each', async () => {
    const two = identityFixture('ada@lovelace.org', { id: before.id });
    const withSecond: Identity = {
      ...two,
      verifiable_addresses: [
        ...two.verifiable_addresses,
        {
          ...(two.verifiable_addresses[0] as Identity['verifiable_addresses'][number]),
          id: 'second',
          value: 'ada@work.example',
        },
      ],
    };
    const deps = { verification: recordingSender(), sessions: recordingSessions(), config: config([]) };
    const items = await afterSettings(deps, {
      method: 'profile',
      flow: flow('api'),
      before: verified(before),
      after: withSecond,
      sessionId: 's1',
    });
    expect(items.map((i) => (i.action === 'show_verification_ui' ? i.flow.verifiable_address : ''))).toEqual([
      'ada@lovelace.org',
      'ada@work.example',
    ]);
  });

  it('sends nothing when the addresses stay, or for the password method', async () => {
    const verification = recordingSender();
    const deps = { verification, sessions: recordingSessions(), config: config([]) };
    const change = { flow: flow('api'), before, after: before, sessionId: 's1' };
    expect(await afterSettings(deps, { ...change, method: 'profile' })).toEqual([]);
    expect(await afterSettings(deps, { ...change, after: changedEmail, method: 'password' })).toEqual([]);
    expect(verification.calls).toEqual([]);
    expect(deps.sessions.changed).toEqual([]);
  });

  it('revoke_active_sessions ends every other session of the identity', async () => {
    const sessions = recordingSessions();
    const deps = {
      verification: recordingSender(),
      sessions,
      config: config(['revoke_active_sessions', 'web_hook']),
    };
    await afterSettings(deps, {
      method: 'password',
      flow: flow('api'),
      before,
      after: before,
      sessionId: 's1',
    });
    expect(sessions.revoked).toEqual([{ identityId: before.id, exceptId: 's1' }]);
  });
});
