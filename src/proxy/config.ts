/**
 * Typed views of Oathkeeper's config keys (`serve.proxy`, `serve.api`, `access_rules`,
 * `authenticators`, `authorizers`, `mutators`, `errors`), with Oathkeeper's defaults. The
 * document has already been validated against the vendored Oathkeeper schema
 * (config/oathkeeper-schema.ts), so these readers only narrow and fill defaults.
 */

import { type CorsConfig, type JsonObject, type KratosConfigDocument, readCors } from '../config/index.js';
import { parseDuration } from '../kernel/duration.js';
import { isJsonObject } from '../kernel/json.js';

/** Oathkeeper's default ports. */
export const PROXY_DEFAULT_PORT = 4455;
export const API_DEFAULT_PORT = 4456;

/** `serve.<listener>.timeout`, in milliseconds (Oathkeeper: read 5s, write 120s, idle 120s). */
export interface ServerTimeouts {
  readonly readMs: number;
  readonly writeMs: number;
  readonly idleMs: number;
}

/** One PEM document of Oathkeeper's `tlsx`: a file (relative to the working directory) or inline base64. */
export interface PemSource {
  readonly path: string | undefined;
  readonly base64: string | undefined;
}

/** `serve.<listener>.tls`: present when `cert` or `key` is set (both are then required). */
export interface ListenerTls {
  readonly cert: PemSource | undefined;
  readonly key: PemSource | undefined;
}

/** `serve.api` (the decision API). */
export interface ApiListenerSettings {
  /** Empty string means every interface, as in Oathkeeper. */
  readonly host: string;
  readonly port: number;
  readonly timeout: ServerTimeouts;
  /** `serve.<listener>.cors` with Oathkeeper's defaults; `enabled` false unless set. */
  readonly cors: CorsConfig;
  /** HTTPS when set; undefined when neither `tls.cert` nor `tls.key` is given (Oathkeeper's rule). */
  readonly tls: ListenerTls | undefined;
}

/** `serve.proxy` (the reverse proxy). */
export interface ProxyListenerSettings extends ApiListenerSettings {
  /** Trust client-sent `X-Forwarded-*` (only behind a proxy that overwrites them). */
  readonly trustForwardedHeaders: boolean;
}

export type MatchingStrategy = 'regexp' | 'glob';

/** `access_rules`. */
export interface AccessRulesSettings {
  readonly repositories: readonly string[];
  /** `regexp` unless set. */
  readonly matchingStrategy: MatchingStrategy;
}

/** The pipeline kinds whose handlers are configured globally. */
export type HandlerKind = 'authenticators' | 'authorizers' | 'mutators' | 'errors';

/** `<kind>.<name>` (or `errors.handlers.<name>`): the global switch and config of one handler. */
export interface HandlerSettings {
  readonly enabled: boolean;
  /** The global config, `{}` when absent; a rule's config is deep-merged over it. */
  readonly config: JsonObject;
}

/** `errors`: fallback handler names (`["json"]` unless set). */
export interface ErrorsSettings {
  readonly fallback: readonly string[];
}

const CORS_DEFAULTS: CorsConfig = {
  enabled: false,
  allowedOrigins: ['*'],
  allowedMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['Authorization', 'Content-Type'],
  exposedHeaders: ['Content-Type'],
  allowCredentials: false,
  maxAgeSeconds: 0,
  debug: false,
};

/** Reads `serve.proxy`. */
export function proxyListenerSettings(document: KratosConfigDocument): ProxyListenerSettings {
  const raw = objectAt(document.serve, 'proxy');
  return {
    ...listener(raw, PROXY_DEFAULT_PORT),
    trustForwardedHeaders: raw.trust_forwarded_headers === true,
  };
}

/** Reads `serve.api`. */
export function apiListenerSettings(document: KratosConfigDocument): ApiListenerSettings {
  return listener(objectAt(document.serve, 'api'), API_DEFAULT_PORT);
}

/** Reads `access_rules`. */
export function accessRulesSettings(document: KratosConfigDocument): AccessRulesSettings {
  const raw = objectAt(document, 'access_rules');
  return {
    repositories: strings(raw.repositories) ?? [],
    matchingStrategy: raw.matching_strategy === 'glob' ? 'glob' : 'regexp',
  };
}

/**
 * Reads the global settings of one handler: `authenticators.<name>`, `authorizers.<name>`,
 * `mutators.<name>` or `errors.handlers.<name>`. Every handler is disabled unless enabled,
 * except the `json` error handler (Oathkeeper's default `{enabled: true, config: {}}`).
 */
export function handlerSettings(
  document: KratosConfigDocument,
  kind: HandlerKind,
  name: string,
): HandlerSettings {
  const parent =
    kind === 'errors' ? objectAt(objectAt(document, 'errors'), 'handlers') : objectAt(document, kind);
  const entry = Object.hasOwn(parent, name) ? parent[name] : undefined;
  const defaultEnabled = kind === 'errors' && name === 'json';
  if (!isJsonObject(entry)) return { enabled: defaultEnabled, config: {} };
  return {
    enabled: typeof entry.enabled === 'boolean' ? entry.enabled : defaultEnabled,
    config: isJsonObject(entry.config) ? entry.config : {},
  };
}

/** Reads `errors.fallback`. */
export function errorsSettings(document: KratosConfigDocument): ErrorsSettings {
  return { fallback: strings(objectAt(document, 'errors').fallback) ?? ['json'] };
}

function listener(raw: JsonObject, defaultPort: number): ApiListenerSettings {
  const timeout = objectAt(raw, 'timeout');
  return {
    host: typeof raw.host === 'string' ? raw.host : '',
    port: typeof raw.port === 'number' ? raw.port : defaultPort,
    timeout: {
      readMs: duration(timeout.read, 5_000),
      writeMs: duration(timeout.write, 120_000),
      idleMs: duration(timeout.idle, 120_000),
    },
    cors: readCors(objectAt(raw, 'cors'), CORS_DEFAULTS),
    tls: listenerTls(objectAt(raw, 'tls')),
  };
}

function listenerTls(raw: JsonObject): ListenerTls | undefined {
  const cert = pemSource(objectAt(raw, 'cert'));
  const key = pemSource(objectAt(raw, 'key'));
  return cert === undefined && key === undefined ? undefined : { cert, key };
}

function pemSource(raw: JsonObject): PemSource | undefined {
  const path = typeof raw.path === 'string' && raw.path !== '' ? raw.path : undefined;
  const base64 = typeof raw.base64 === 'string' && raw.base64 !== '' ? raw.base64 : undefined;
  return path === undefined && base64 === undefined ? undefined : { path, base64 };
}

function duration(value: unknown, fallbackMs: number): number {
  return typeof value === 'string' ? (parseDuration(value) ?? fallbackMs) : fallbackMs;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

function objectAt(parent: unknown, key: string): JsonObject {
  if (!isJsonObject(parent) || !Object.hasOwn(parent, key)) return {};
  const value = parent[key];
  return isJsonObject(value) ? value : {};
}
