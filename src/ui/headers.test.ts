import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, cspSource } from './headers.js';

describe('cspSource', () => {
  it.each([
    ['http://127.0.0.1:4433/ui/welcome', 'http://127.0.0.1:4433'],
    ['https://app.example.com/callback?x=1', 'https://app.example.com'],
    ['https://*.example.com/', 'https://*.example.com'],
    ['https://*.Example.com:8443/path', 'https://*.example.com:8443'],
    ['javascript:alert(1)', undefined],
    ['/relative', undefined],
    ["https://evil.example/'unsafe-inline'", 'https://evil.example'],
  ])('%s -> %s', (input, expected) => {
    expect(cspSource(input)).toBe(expected);
  });
});

describe('contentSecurityPolicy', () => {
  it('allows no script, styles from self, and forms to the configured targets only', () => {
    const csp = contentSecurityPolicy(
      {
        images: ['https://cdn.example.com/logo.svg'],
        formTargets: [
          'http://127.0.0.1:4433/',
          'https://app.example.com/welcome',
          'https://app.example.com/x',
        ],
      },
      ['http://127.0.0.1:4433/self-service/login?flow=1', 'https://other.example.org/back'],
    );
    expect(csp).toBe(
      [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data: https://cdn.example.com",
        "form-action 'self' http://127.0.0.1:4433 https://app.example.com https://other.example.org",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].join('; '),
    );
    expect(csp).not.toMatch(/script-src|unsafe/);
  });
});
