import { unboundedWildcardReason } from '../../kernel/origin-wildcard.js';
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
  return readCors(serve?.public?.cors ?? {}, DEFAULTS);
}

/**
 * A `cors` block (Kratos's and Oathkeeper's listeners share its keys), each key absent or of the
 * wrong type taking its value from `defaults`: Kratos's public API and Oathkeeper's listeners
 * differ only there.
 */
export function readCors(cors: Readonly<Record<string, unknown>>, defaults: CorsConfig): CorsConfig {
  return {
    enabled: typeof cors.enabled === 'boolean' ? cors.enabled : defaults.enabled,
    allowedOrigins: strings(cors.allowed_origins, defaults.allowedOrigins),
    allowedMethods: strings(cors.allowed_methods, defaults.allowedMethods),
    allowedHeaders: strings(cors.allowed_headers, defaults.allowedHeaders),
    exposedHeaders: strings(cors.exposed_headers, defaults.exposedHeaders),
    allowCredentials:
      typeof cors.allow_credentials === 'boolean' ? cors.allow_credentials : defaults.allowCredentials,
    maxAgeSeconds: typeof cors.max_age === 'number' ? cors.max_age : defaults.maxAgeSeconds,
    debug: typeof cors.debug === 'boolean' ? cors.debug : defaults.debug,
  };
}

/**
 * A warning for each wildcard origin of an enabled `cors` block (`serve.public`, and
 * Oathkeeper's `serve.proxy` and `serve.api`) that is skipped because it is not bounded by a
 * registrable domain (kernel/origin-wildcard.ts): Kratos skips those without a word, which
 * leaves an operator wondering why their SPA's requests are refused.
 */
export function unboundedCorsOriginWarnings(document: KratosConfigDocument): string[] {
  const serve = (document as { serve?: Record<string, { cors?: Record<string, unknown> } | undefined> })
    .serve;
  const warnings: string[] = [];
  for (const listener of ['public', 'proxy', 'api']) {
    const cors = serve?.[listener]?.cors;
    if (cors?.enabled !== true) continue;
    for (const origin of strings(cors.allowed_origins, [])) {
      const reason = unboundedWildcardReason(origin);
      if (reason !== undefined)
        warnings.push(`serve.${listener}.cors.allowed_origins: "${origin}" is not used: ${reason}`);
    }
  }
  return warnings;
}
