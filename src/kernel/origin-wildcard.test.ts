import { describe, expect, it } from 'vitest';
import { unboundedWildcardReason } from './origin-wildcard.js';

describe('unboundedWildcardReason', () => {
  it('keeps exact origins, "*" alone and wildcards bounded by a registrable domain', () => {
    for (const pattern of [
      '*',
      'https://app.example.com',
      'https://*.example.com',
      'https://*.example.com:8443',
      'https://*-preview.example.com',
      'https://*.eu.example.co.uk',
      'https://*.my-team.vercel.app',
    ])
      expect(unboundedWildcardReason(pattern), pattern).toBeUndefined();
  });

  it('refuses wildcards that anyone can register an origin under', () => {
    for (const pattern of [
      'https://*.vercel.app',
      'https://*.github.io',
      'https://*.com',
      'https://*.co.uk',
      'https://*foo.com',
      'https://www.example.*',
      'http://localhost:*',
      'https://*.localhost',
      'https://*.*.example.com',
      '*://example.com',
    ])
      expect(unboundedWildcardReason(pattern), pattern).toBeTypeOf('string');
  });
});
