import { describe, expect, it } from 'vitest';
import { SealedProviderTokens } from '../../../identity/provider-tokens.js';
import { createSecretCipher } from '../../../kernel/cipher.js';
import { identityFixture } from '../../../persistence/testing/identity-fixtures.js';
import { linkedProviders, withLinkedProvider } from './credentials.js';

const cipher = createSecretCipher(['a-credentials-test-secret-of-32-ch'], []);
const NOW = new Date('2026-06-01T00:00:00.000Z');

describe('rewriting the oidc credential', () => {
  it('keeps what the other linked accounts hold: their auto-link flag and sealed tokens', () => {
    const sealed = SealedProviderTokens.seal(cipher, { access_token: 'github-token' }).toJson();
    const identity = identityFixture('linked@example.com', {
      credentials: {
        oidc: {
          type: 'oidc',
          identifiers: ['github:g-1'],
          config: { providers: [{ provider: 'github', subject: 'g-1', use_auto_link: true, ...sealed }] },
          version: 0,
          created_at: NOW,
          updated_at: NOW,
        },
      },
    });
    const added = { provider: 'google', subject: 'o-1', tokens: SealedProviderTokens.seal(cipher, {}) };
    const providers = withLinkedProvider(identity, added).oidc?.config?.providers ?? [];
    expect(providers.map((p) => [p.provider, p.use_auto_link ?? false, p.tokens?.toJson()])).toEqual([
      ['github', true, sealed],
      ['google', false, {}],
    ]);
    expect(linkedProviders(identity)[0]?.tokens?.toJson()).toEqual(sealed);
  });
});
