import { describe, expect, it } from 'vitest';
import { SealedProviderTokens } from '../../../identity/provider-tokens.js';
import { createSecretCipher } from '../../../kernel/cipher.js';
import { identityFixture } from '../../../persistence/testing/identity-fixtures.js';
import { linkedProviders, withLinkedProvider } from './credentials.js';

const cipher = createSecretCipher(['a-credentials-test-secret-of-32-ch'], []);
const NOW = new Date('2026-06-01T00:00:00.000Z');

describe('rewriting the oidc credential', () => {
  it("keeps the other linked accounts' auto-link flag and brings the new account's tokens", () => {
    const identity = identityFixture('linked@example.com', {
      credentials: {
        oidc: {
          type: 'oidc',
          identifiers: ['github:g-1'],
          config: { providers: [{ provider: 'github', subject: 'g-1', use_auto_link: true }] },
          version: 0,
          created_at: NOW,
          updated_at: NOW,
        },
      },
    });
    const tokens = SealedProviderTokens.seal(cipher, { access_token: 'google-token' });
    const providers = withLinkedProvider(identity, { provider: 'google', subject: 'o-1', tokens }).oidc
      ?.config?.providers;
    expect(providers?.map((p) => [p.provider, p.use_auto_link ?? false, p.tokens])).toEqual([
      ['github', true, undefined],
      ['google', false, tokens],
    ]);
    expect(linkedProviders(identity)).toEqual([{ provider: 'github', subject: 'g-1', use_auto_link: true }]);
  });
});
