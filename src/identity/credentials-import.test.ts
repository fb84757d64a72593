import { describe, expect, it } from 'vitest';
import { createPasswordHashing } from '../hash/index.js';
import { createSecretCipher } from '../kernel/cipher.js';
import { identityFixture } from '../persistence/testing/identity-fixtures.js';
import type { ImportedProvider } from './bodies.js';
import { buildCredentials } from './credentials-import.js';
import { SealedProviderTokens } from './provider-tokens.js';

const cipher = createSecretCipher(['a-credentials-import-test-secret-1'], []);
const hashing = createPasswordHashing({ algorithm: 'bcrypt', bcrypt: { cost: 4 } });
const NOW = new Date('2026-06-01T00:00:00.000Z');

describe('buildCredentials and the tokens sealed at linking', () => {
  const sealedGithub = SealedProviderTokens.seal(cipher, { access_token: 'github-token' }).toJson();
  const current = identityFixture('tokens@example.com', {
    credentials: {
      oidc: {
        type: 'oidc',
        identifiers: ['github:g-1'],
        config: {
          providers: [{ provider: 'github', subject: 'g-1', use_auto_link: false, ...sealedGithub }],
        },
        version: 0,
        created_at: NOW,
        updated_at: NOW,
      },
    },
  }).credentials;
  const rewrite = (providers: ImportedProvider[]) =>
    buildCredentials(current, { oidc: { config: { providers } } }, {}, hashing, NOW);

  it('keeps an account that stays linked with its tokens, whoever lists it again', async () => {
    const fresh = SealedProviderTokens.seal(cipher, { access_token: 'google-token' });
    const next = await rewrite([
      { provider: 'github', subject: 'g-1' },
      { provider: 'google', subject: 'o-1', tokens: fresh },
    ]);
    expect(next.oidc?.config.providers).toEqual([
      { provider: 'github', subject: 'g-1', use_auto_link: false, ...sealedGithub },
      { provider: 'google', subject: 'o-1', use_auto_link: false, ...fresh.toJson() },
    ]);
  });

  it('takes the new tokens of an account linked again, and never tokens written in a body', async () => {
    const relinked = SealedProviderTokens.seal(cipher, { refresh_token: 'new-refresh' });
    const again = await rewrite([{ provider: 'github', subject: 'g-1', tokens: relinked }]);
    expect(again.oidc?.config.providers).toEqual([
      { provider: 'github', subject: 'g-1', use_auto_link: false, ...relinked.toJson() },
    ]);
    const planted = JSON.parse(
      '{"provider":"google","subject":"o-2","tokens":{"fields":{"initial_access_token":"x"}},"initial_access_token":"y"}',
    ) as ImportedProvider;
    const fromBody = await rewrite([planted]);
    expect(fromBody.oidc?.config.providers).toEqual([
      { provider: 'google', subject: 'o-2', use_auto_link: false },
    ]);
  });
});
