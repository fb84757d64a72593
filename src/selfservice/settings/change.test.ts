import { describe, expect, it } from 'vitest';
import { IdentityDisabledError } from '../../identity/errors.js';
import type { Identity } from '../../identity/model.js';
import { identityFixture } from '../../persistence/testing/identity-fixtures.js';
import { settingsChange } from './change.js';
import { LastSignInMethodError } from './errors.js';
import { currentIdentityBody } from './strategy.js';

/** The identity a settings request read at its start. */
const read: Identity = identityFixture('ada@example.com', { metadata_admin: { tier: 1 } });

/** The same identity as stored when the change is written: others changed it since. */
const stored: Identity = {
  ...read,
  traits: { ...read.traits, fullname: 'Ada King' },
  metadata_public: { plan: 'pro' },
  metadata_admin: { tier: 2 },
  external_id: 'crm-7',
};

const linked = (identity: Identity, providers: { provider: string; subject: string }[]): Identity => ({
  ...identity,
  credentials: {
    ...identity.credentials,
    oidc: {
      type: 'oidc',
      identifiers: providers.map((p) => `${p.provider}:${p.subject}`),
      config: { providers },
      version: 0,
      created_at: identity.created_at,
      updated_at: identity.updated_at,
    },
  },
});

describe('settingsChange', () => {
  it('profile: the submitted traits, everything else as stored now', () => {
    const traits = { ...read.traits, phone_number: 42 };
    const body = settingsChange('profile', read, { ...currentIdentityBody(read), traits }, [])(stored);
    expect(body).toEqual({ ...currentIdentityBody(stored), traits });
    expect(body.credentials).toBeUndefined();
  });

  it('password: the password credential only, never the traits or metadata as read', () => {
    const proposed = {
      ...currentIdentityBody(read),
      credentials: { password: { config: { password: 'a new passphrase' } } },
    };
    const body = settingsChange('password', read, proposed, [])(stored);
    expect(body).toEqual({ ...currentIdentityBody(stored), credentials: proposed.credentials });
  });

  it('oidc: unlinks and links against the accounts linked now, keeping one linked meanwhile', () => {
    const before = linked(read, [
      { provider: 'google', subject: 'g1' },
      { provider: 'github', subject: 'h1' },
    ]);
    const now = linked(stored, [
      { provider: 'google', subject: 'g1' },
      { provider: 'github', subject: 'h1' },
      { provider: 'apple', subject: 'a1' },
    ]);
    const unlink = settingsChange(
      'oidc',
      before,
      {
        ...currentIdentityBody(before),
        credentials: { oidc: { config: { providers: [{ provider: 'google', subject: 'g1' }] } } },
      },
      [],
    )(now);
    expect(unlink.credentials?.oidc?.config?.providers).toEqual([
      { provider: 'google', subject: 'g1' },
      { provider: 'apple', subject: 'a1' },
    ]);
    const link = settingsChange(
      'oidc',
      before,
      {
        ...currentIdentityBody(before),
        credentials: {
          oidc: {
            config: {
              providers: [
                { provider: 'google', subject: 'g1' },
                { provider: 'github', subject: 'h1' },
                { provider: 'gitlab', subject: 'l1' },
              ],
            },
          },
        },
      },
      [],
    )(now);
    expect(link.credentials?.oidc?.config?.providers).toEqual([
      { provider: 'google', subject: 'g1' },
      { provider: 'github', subject: 'h1' },
      { provider: 'apple', subject: 'a1' },
      { provider: 'gitlab', subject: 'l1' },
    ]);
    expect(link.metadata_admin).toEqual({ tier: 2 });
  });

  it("applies a web hook's identity changes on top, as the hook gave them", () => {
    const body = settingsChange('profile', read, currentIdentityBody(read), [
      { metadata_public: { hooked: true } },
    ])(stored);
    expect(body.metadata_public).toEqual({ hooked: true });
    expect(body.metadata_admin).toEqual({ tier: 2 });
  });

  it('never changes an identity deactivated since the request read it', () => {
    const change = settingsChange('profile', read, currentIdentityBody(read), []);
    expect(() => change({ ...stored, state: 'inactive' })).toThrow(IdentityDisabledError);
  });

  describe('an unlink re-applied after another write', () => {
    const withoutPassword = (identity: Identity): Identity => {
      const { password: _dropped, ...credentials } = identity.credentials;
      return { ...identity, credentials };
    };
    const google = { provider: 'google', subject: 'g1' };
    const github = { provider: 'github', subject: 'h1' };
    // This request read google and github linked and no password, and unlinks github.
    const before = withoutPassword(linked(read, [google, github]));
    const proposed = {
      ...currentIdentityBody(before),
      credentials: { oidc: { config: { providers: [google] } } },
    };

    it('is refused when another tab unlinked the other provider meanwhile', () => {
      const change = settingsChange('oidc', before, proposed, []);
      expect(() => change(withoutPassword(linked(stored, [github])))).toThrow(LastSignInMethodError);
    });

    it('is refused when the password it relied on was deleted meanwhile', () => {
      const withPassword = linked(read, [github]);
      const unlinkAll = {
        ...currentIdentityBody(withPassword),
        credentials: { oidc: { config: { providers: [] } } },
      };
      const change = settingsChange('oidc', withPassword, unlinkAll, []);
      expect(() => change(withoutPassword(linked(stored, [github])))).toThrow(LastSignInMethodError);
      // With the password still there, the unlink goes ahead.
      expect(change(linked(stored, [github])).credentials).toEqual({ oidc: { config: { providers: [] } } });
    });

    it('goes ahead while another way in remains', () => {
      const apple = { provider: 'apple', subject: 'a1' };
      const body = settingsChange(
        'oidc',
        before,
        proposed,
        [],
      )(withoutPassword(linked(stored, [google, github, apple])));
      expect(body.credentials).toEqual({ oidc: { config: { providers: [google, apple] } } });
    });
  });
});
