import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../types.js';
import { corsConfig } from './cors.js';

describe('corsConfig (serve.public.cors)', () => {
  it("is off by default, with Kratos's defaults", () => {
    expect(corsConfig({} as KratosConfigDocument)).toEqual({
      enabled: false,
      allowedOrigins: ['*'],
      allowedMethods: ['POST', 'GET', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Max-Age',
        'X-Session-Token',
        'X-XSRF-TOKEN',
        'X-CSRF-TOKEN',
      ],
      exposedHeaders: ['Content-Type'],
      allowCredentials: true,
      maxAgeSeconds: 0,
      debug: false,
    });
  });

  it('reads every key Kratos has, debug included', () => {
    const document = {
      serve: {
        public: {
          cors: {
            enabled: true,
            allowed_origins: ['https://spa.example.com'],
            allowed_methods: ['GET'],
            allowed_headers: ['Content-Type'],
            exposed_headers: [],
            allow_credentials: false,
            max_age: 600,
            debug: true,
          },
        },
      },
    } as unknown as KratosConfigDocument;
    expect(corsConfig(document)).toEqual({
      enabled: true,
      allowedOrigins: ['https://spa.example.com'],
      allowedMethods: ['GET'],
      allowedHeaders: ['Content-Type'],
      exposedHeaders: [],
      allowCredentials: false,
      maxAgeSeconds: 600,
      debug: true,
    });
  });
});
