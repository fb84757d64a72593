import { describe, expect, it } from 'vitest';
import { createSecretCipher } from '../kernel/cipher.js';
import { declassifiedOidcConfig, SealedProviderTokens } from './provider-tokens.js';

const cipher = createSecretCipher(['a-provider-tokens-test-secret-32ch'], []);

describe('provider tokens kept with a linked account', () => {
  it('seals what the provider sent and declassifies it as Kratos shows it', () => {
    const sealed = SealedProviderTokens.seal(cipher, { id_token: 'eyJ.id.token', access_token: 'at-1' });
    const stored = sealed.toJson();
    expect(Object.keys(stored).sort()).toEqual(['initial_access_token', 'initial_id_token']);
    expect(JSON.stringify(stored)).not.toContain('at-1');

    const config = { providers: [{ provider: 'google', subject: 's-1', use_auto_link: false, ...stored }] };
    expect(declassifiedOidcConfig(config, cipher)).toEqual({
      providers: [
        {
          provider: 'google',
          subject: 's-1',
          initial_id_token: 'eyJ.id.token',
          initial_access_token: 'at-1',
          initial_refresh_token: '',
        },
      ],
    });
  });

  it('reads back only what a stored entry holds', () => {
    expect(SealedProviderTokens.stored({ provider: 'google', subject: 's' })).toBeUndefined();
    const sealed = SealedProviderTokens.seal(cipher, { refresh_token: 'rt' }).toJson();
    expect(SealedProviderTokens.stored({ provider: 'google', ...sealed })?.toJson()).toEqual(sealed);
  });

  it('fails to declassify a token sealed with a key that is gone', () => {
    const other = createSecretCipher(['another-secret-of-enough-length-32'], []);
    const sealed = SealedProviderTokens.seal(other, { access_token: 'at' }).toJson();
    expect(() =>
      declassifiedOidcConfig({ providers: [{ provider: 'p', subject: 's', ...sealed }] }, cipher),
    ).toThrow();
  });
});
