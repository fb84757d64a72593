import type { KratosConfigDocument } from '../types.js';

/** `serve.public.cors`, with Kratos's defaults. */
export interface CorsConfig {
  readonly enabled: boolean;
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds: number;
  /** Logs each refused origin, method or header set, and why. */
  readonly debug: boolean;
}

const DEFAULTS: CorsConfig = {
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
};

function strings(value: unknown, fallback: readonly string[]): readonly string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : fallback;
}

export function corsConfig(document: KratosConfigDocument): CorsConfig {
  const serve = (document as { serve?: { public?: { cors?: Record<string, unknown> } } }).serve;
  const cors = serve?.public?.cors ?? {};
  return {
    enabled: cors.enabled === true,
    allowedOrigins: strings(cors.allowed_origins, DEFAULTS.allowedOrigins),
    allowedMethods: strings(cors.allowed_methods, DEFAULTS.allowedMethods),
    allowedHeaders: strings(cors.allowed_headers, DEFAULTS.allowedHeaders),
    exposedHeaders: strings(cors.exposed_headers, DEFAULTS.exposedHeaders),
    allowCredentials: cors.allow_credentials !== false,
    maxAgeSeconds: typeof cors.max_age === 'number' ? cors.max_age : DEFAULTS.maxAgeSeconds,
    debug: cors.debug === true,
  };
}
