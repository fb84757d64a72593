import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../types.js';
import { oauth2ProviderConfig } from './oauth2-provider.js';

const doc = (oauth2_provider?: unknown) => ({ oauth2_provider }) as unknown as KratosConfigDocument;

describe('oauth2ProviderConfig', () => {
  it('is undefined without a url, so a login_challenge is refused', () => {
    expect(oauth2ProviderConfig(doc())).toBeUndefined();
    expect(oauth2ProviderConfig(doc({ url: '' }))).toBeUndefined();
    expect(oauth2ProviderConfig(doc({ url: 'not a url', override_return_to: true }))).toBeUndefined();
  });

  it('reads url, headers and override_return_to (false unless set)', () => {
    expect(oauth2ProviderConfig(doc({ url: 'http://hydra:4445' }))).toEqual({
      url: new URL('http://hydra:4445'),
      headers: {},
      overrideReturnTo: false,
    });
    expect(
      oauth2ProviderConfig(
        doc({
          url: 'https://hydra.internal/admin-api/',
          headers: { Authorization: 'Bearer t' },
          override_return_to: true,
        }),
      ),
    ).toEqual({
      url: new URL('https://hydra.internal/admin-api/'),
      headers: { Authorization: 'Bearer t' },
      overrideReturnTo: true,
    });
  });
});
