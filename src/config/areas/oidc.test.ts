import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../types.js';
import { oidcMethodConfig } from './oidc.js';

const BASE = new URL('http://127.0.0.1:4433/');

function doc(providers: unknown[], extra: Record<string, unknown> = {}): KratosConfigDocument {
  const document = { selfservice: { methods: { oidc: { enabled: true, config: { providers, ...extra } } } } };
  return document as unknown as KratosConfigDocument;
}

describe('selfservice.methods.oidc', () => {
  it('reads providers with Kratos defaults (claims_source id_token, pkce auto)', () => {
    const result = oidcMethodConfig(
      doc([{ id: 'google', provider: 'google', client_id: 'c', client_secret: 's', mapper_url: 'file://m' }]),
      BASE,
    );
    expect(result.ok && result.value.providers[0]).toMatchObject({
      id: 'google',
      kind: 'google',
      claimsSource: 'id_token',
      pkce: 'auto',
      scope: [],
    });
    expect(result.ok && result.value.baseRedirectUri.toString()).toBe(BASE.toString());
  });

  it('takes base_redirect_uri for the callbacks', () => {
    const result = oidcMethodConfig(doc([], { base_redirect_uri: 'https://auth.example.com/id' }), BASE);
    expect(result.ok && result.value.baseRedirectUri.toString()).toBe('https://auth.example.com/id/');
  });

  it('refuses providers without a preset, duplicate ids and a generic provider without issuer', () => {
    const result = oidcMethodConfig(
      doc([
        { id: 'a', provider: 'slack', client_id: 'c', mapper_url: 'file://m' },
        { id: 'b', provider: 'generic', client_id: 'c', mapper_url: 'file://m' },
        { id: 'b', provider: 'github', client_id: 'c', mapper_url: 'file://m' },
      ]),
      BASE,
    );
    expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual([
      'selfservice.methods.oidc.config.providers.0.provider',
      'selfservice.methods.oidc.config.providers.1.issuer_url',
      'selfservice.methods.oidc.config.providers.2.id',
    ]);
  });
});
