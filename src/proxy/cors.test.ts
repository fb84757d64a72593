import { describe, expect, it } from 'vitest';
import type { CorsConfig } from '../config/index.js';
import { type CorsRefusal, compileCors, mergeVary } from './cors.js';

const base: CorsConfig = {
  enabled: true,
  allowedOrigins: ['https://app.example.com', 'https://*.preview.example.com'],
  allowedMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['Authorization', 'Content-Type'],
  exposedHeaders: ['Content-Type', 'X-Request-Id'],
  allowCredentials: true,
  maxAgeSeconds: 600,
  debug: false,
};

const VARY_PREFLIGHT = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

function policy(overrides: Partial<CorsConfig> = {}, refusals: CorsRefusal[] = []) {
  const compiled = compileCors({ ...base, ...overrides }, (refusal) => refusals.push(refusal));
  if (compiled === undefined) throw new Error('CORS is off');
  return compiled;
}

describe('CORS (rs/cors semantics)', () => {
  it('is off unless enabled', () => {
    expect(compileCors({ ...base, enabled: false })).toBeUndefined();
  });

  it('grants a preflight for an allowed origin, method and headers', () => {
    expect(
      policy().preflight('OPTIONS', {
        origin: 'https://app.example.com',
        'access-control-request-method': 'put',
        'access-control-request-headers': 'Content-Type, authorization',
      }),
    ).toEqual({
      vary: VARY_PREFLIGHT,
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-max-age': '600',
    });
  });

  it('matches one wildcard per origin, case-insensitively, and never a lookalike', () => {
    const cors = policy();
    const preflight = (origin: string) =>
      cors.preflight('OPTIONS', { origin, 'access-control-request-method': 'GET' })?.[
        'access-control-allow-origin'
      ];
    expect(preflight('https://pr-7.preview.example.com')).toBe('https://pr-7.preview.example.com');
    expect(preflight('HTTPS://APP.EXAMPLE.COM')).toBe('HTTPS://APP.EXAMPLE.COM');
    expect(preflight('https://evil.example.com')).toBeUndefined();
    expect(preflight('https://app.example.com.evil.test')).toBeUndefined();
    expect(preflight('https://preview.example.com')).toBeUndefined();
    expect(preflight('https://evilpreview.example.com')).toBeUndefined();
    expect(preflight('https://a.b.preview.example.com')).toBe('https://a.b.preview.example.com');
    expect(preflight('http://app.example.com')).toBeUndefined();
  });

  it('skips wildcards anyone can register an origin under, as Kratos (corsx)', () => {
    const cors = policy({
      allowedOrigins: [
        'https://*.vercel.app',
        'https://*foo.com',
        'https://www.ory.*',
        'https://*.team.vercel.app',
      ],
    });
    const granted = (origin: string) => cors.actual('GET', origin)['access-control-allow-origin'];
    expect(granted('https://attacker.vercel.app')).toBeUndefined();
    expect(granted('https://evilfoo.com')).toBeUndefined();
    expect(granted('https://www.ory.evil.com')).toBeUndefined();
    expect(granted('https://pr-1.team.vercel.app')).toBe('https://pr-1.team.vercel.app');
  });

  it('answers a refused preflight with Vary only, and says why under debug', () => {
    const refusals: CorsRefusal[] = [];
    const cors = policy({}, refusals);
    const only = { vary: VARY_PREFLIGHT };
    const origin = 'https://app.example.com';
    expect(
      cors.preflight('OPTIONS', { origin: 'https://evil.test', 'access-control-request-method': 'GET' }),
    ).toEqual(only);
    expect(cors.preflight('OPTIONS', { origin, 'access-control-request-method': 'TRACE' })).toEqual(only);
    expect(
      cors.preflight('OPTIONS', {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-secret',
      }),
    ).toEqual(only);
    expect(cors.preflight('OPTIONS', { 'access-control-request-method': 'GET' })).toEqual(only);
    expect(refusals).toEqual(['origin_not_allowed', 'method_not_allowed', 'headers_not_allowed']);
  });

  it('treats OPTIONS without Access-Control-Request-Method, and other methods, as actual requests', () => {
    const cors = policy();
    expect(cors.preflight('OPTIONS', { origin: 'https://app.example.com' })).toBeUndefined();
    expect(cors.preflight('GET', { 'access-control-request-method': 'GET' })).toBeUndefined();
  });

  it('decorates actual requests from allowed origins with allowed methods', () => {
    const cors = policy();
    expect(cors.actual('GET', 'https://app.example.com')).toEqual({
      vary: 'Origin',
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'Content-Type, X-Request-Id',
    });
    expect(cors.actual('GET', undefined)).toEqual({ vary: 'Origin' });
    expect(cors.actual('GET', 'https://evil.test')).toEqual({ vary: 'Origin' });
    expect(policy({ allowedMethods: ['GET'] }).actual('POST', 'https://app.example.com')).toEqual({
      vary: 'Origin',
    });
  });

  it('answers "*" with a literal "*", allows any header with "*", and OPTIONS always', () => {
    const cors = policy({
      allowedOrigins: ['*'],
      allowedHeaders: ['*'],
      allowCredentials: false,
      maxAgeSeconds: 0,
    });
    expect(
      cors.preflight('OPTIONS', {
        origin: 'https://anyone.test',
        'access-control-request-method': 'OPTIONS',
        'access-control-request-headers': 'x-anything',
      }),
    ).toEqual({
      vary: VARY_PREFLIGHT,
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'OPTIONS',
      'access-control-allow-headers': 'x-anything',
    });
    expect(cors.actual('DELETE', 'https://anyone.test')['access-control-allow-origin']).toBe('*');
  });

  it('always allows the Origin header', () => {
    const granted = policy().preflight('OPTIONS', {
      origin: 'https://app.example.com',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'origin',
    });
    expect(granted?.['access-control-allow-headers']).toBe('origin');
  });

  it('merges Vary with the upstream answer', () => {
    expect(mergeVary(undefined, 'Origin')).toBe('Origin');
    expect(mergeVary('Accept-Encoding', 'Origin')).toBe('Accept-Encoding, Origin');
    expect(mergeVary('origin, Accept', 'Origin')).toBe('origin, Accept');
    expect(mergeVary('*', 'Origin')).toBe('*');
  });
});
