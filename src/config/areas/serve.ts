import { hostname as osHostname } from 'node:os';
import { DEFAULT_PORTS } from '../defaults.js';
import type { ConfigIssue } from '../errors.js';
import type { KratosConfigDocument, ListenerConfig, ListenerDocument } from '../types.js';
import type { AreaResult } from './result.js';

/** A listener as serveConfig reads it: the parsed base URL and the text it came from. */
export interface ServeListenerConfig extends ListenerConfig {
  /**
   * The base URL as Kratos's SelfPublicURL/SelfAdminURL prints it: `base_url` as written (Go's
   * url.ParseRequestURI keeps the text: no `/` added, host case and `:443` kept, unlike
   * `baseUrl`), or, when it was left unset, the URL Kratos's guessBaseURL would make. Kratos
   * hashes this into the CSRF cookie's name. Absent when it is `baseUrl.href` itself (the usual
   * `http://host:port/`); read it with listenerBaseUrlText.
   */
  readonly baseUrlText?: string;
}

/** What serveConfig needs to know beyond the effective document. */
export interface ServeConfigOptions {
  /** `--dev`: Kratos guesses an `http://` base URL then, `https://` otherwise. */
  readonly dev: boolean;
  /**
   * The document as the user wrote it, before applyDefaults filled `host`, `port` and
   * `base_url`, to tell a configured base URL from a default one. Without it every base URL in
   * the document counts as written.
   */
  readonly asWritten?: KratosConfigDocument;
  /** The machine's name, which Kratos puts in a guessed base URL for a wildcard host. */
  readonly hostname?: () => string;
}

/** The public and admin listeners. Base URLs must be absolute http(s) URLs. */
export function serveConfig(
  document: KratosConfigDocument,
  options: ServeConfigOptions = { dev: false },
): AreaResult<{ public: ServeListenerConfig; admin: ServeListenerConfig }> {
  const issues: ConfigIssue[] = [];
  const publicListener = listenerConfig('public', document.serve?.public, options, issues);
  const adminListener = listenerConfig('admin', document.serve?.admin, options, issues);
  if (publicListener === undefined || adminListener === undefined) return { ok: false, issues };
  return { ok: true, value: { public: publicListener, admin: adminListener } };
}

function listenerConfig(
  name: 'public' | 'admin',
  listener: ListenerDocument | undefined,
  options: ServeConfigOptions,
  issues: ConfigIssue[],
): ServeListenerConfig | undefined {
  // applyDefaults filled host, port and base_url; the fallbacks only keep this total.
  const host = listener?.host ?? '0.0.0.0';
  const port = listener?.port ?? DEFAULT_PORTS[name];
  const text = listener?.base_url ?? `http://127.0.0.1:${port}/`;
  const baseUrl = parseBaseUrl(text);
  if (baseUrl === undefined) {
    // The schema allows a relative reference here; links and redirects need an absolute URL.
    issues.push({ path: `serve.${name}.base_url`, message: 'must be an absolute http:// or https:// URL' });
    return undefined;
  }
  const written = options.asWritten === undefined ? listener : options.asWritten.serve?.[name];
  const baseUrlText = nonEmpty(written?.base_url)
    ? text
    : kratosGuessedBaseUrl({
        host: written?.host,
        port,
        dev: options.dev,
        hostname: options.hostname ?? osHostname,
      });
  return { host, port, baseUrl, ...(baseUrlText === baseUrl.href ? {} : { baseUrlText }) };
}

/**
 * The base URL Kratos makes up when `base_url` is unset (driver/config guessBaseURL):
 * `https://` (`http://` in dev) + the configured host, or the machine's name for an unset or
 * `0.0.0.0` host + `:port/`. Portcullis itself serves `http(s)://127.0.0.1:port/` then (see
 * applyDefaults); this text only names the CSRF cookie as Kratos would.
 */
export function kratosGuessedBaseUrl(listener: {
  host: string | undefined;
  port: number;
  dev: boolean;
  hostname: () => string;
}): string {
  const { host, port, dev } = listener;
  const name = host === undefined || host === '' || host === '0.0.0.0' ? listener.hostname() : host;
  return `${dev ? 'http' : 'https'}://${name}:${port}/`;
}

/**
 * A listener's baseUrlText (see ServeListenerConfig), or its parsed base URL's text for a
 * listener not read by serveConfig (a config built by hand).
 */
export function listenerBaseUrlText(listener: ListenerConfig): string {
  return 'baseUrlText' in listener && typeof listener.baseUrlText === 'string'
    ? listener.baseUrlText
    : listener.baseUrl.href;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** Parses a base URL and makes its path end with `/`, so `new URL('path', base)` appends. */
export function parseBaseUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}
