import { join, resolve } from 'node:path';
import type { ConfigIssue } from './errors.js';
import { getObject, getPath, hasValue, isJsonObject, type JsonObject, setPath } from './json.js';

/** Values the caller supplies because another module owns them. */
export interface ConfigDefaults {
  /** URL of the built-in identity schema used by `--dev` when `identity` is not configured. */
  readonly identitySchemaUrl: string;
}

/** Default listener ports, as in Kratos. */
export const DEFAULT_PORTS = { public: 4433, admin: 4434 } as const;

/** Name of the `--dev` data directory under the working directory. */
export const DEV_DATA_DIR_NAME = '.portcullis';

export interface DefaultsResult {
  /** Where `--dev` keeps its database and secrets; undefined outside dev or with `dsn: memory`. */
  dataDir: string | undefined;
  issues: ConfigIssue[];
}

/**
 * Fills in what the user left unset, before validation, so that the validated document is
 * the effective config. Never overrides a value the user set (a YAML `key:` with no value
 * counts as unset). Outside `--dev` only listener and hasher defaults apply: `dsn`, `identity`
 * and `selfservice.default_browser_return_url` stay required, as in Kratos.
 */
export function applyDefaults(
  document: JsonObject,
  options: { dev: boolean; cwd: string; defaults: ConfigDefaults | undefined },
): DefaultsResult {
  const issues: ConfigIssue[] = [];
  const { dev } = options;
  const cwd = resolve(options.cwd);

  if (dev && !hasValue(document, ['dsn'])) {
    setPath(document, ['dsn'], `sqlite://${join(cwd, DEV_DATA_DIR_NAME, 'db.sqlite')}`);
  }
  const dsn = getPath(document, ['dsn']);
  const dataDir =
    dev && !(typeof dsn === 'string' && isMemoryDsn(dsn)) ? join(cwd, DEV_DATA_DIR_NAME) : undefined;

  for (const name of ['public', 'admin'] as const) applyListenerDefaults(document, name, dev);

  if (dev && !hasValue(document, ['identity'])) {
    if (options.defaults === undefined) {
      issues.push({ path: 'identity', message: 'is required (no built-in identity schema was provided)' });
    } else {
      setPath(document, ['identity'], {
        default_schema_id: 'default',
        schemas: [{ id: 'default', url: options.defaults.identitySchemaUrl }],
      });
    }
  }

  if (
    dev &&
    !hasValue(document, ['selfservice', 'default_browser_return_url']) &&
    canWrite(document, ['selfservice'])
  ) {
    const base = getPath(document, ['serve', 'public', 'base_url']);
    const welcome = typeof base === 'string' ? resolveAgainstBase(base, 'ui/welcome') : undefined;
    if (welcome !== undefined) setPath(document, ['selfservice', 'default_browser_return_url'], welcome);
  }

  // On a laptop, signing up should sign you in, as the Kratos quickstart configures it.
  if (
    dev &&
    !hasValue(document, ['selfservice', 'flows', 'registration', 'after']) &&
    canWrite(document, ['selfservice', 'flows', 'registration', 'after'])
  ) {
    setPath(document, ['selfservice', 'flows', 'registration', 'after'], {
      password: { hooks: [{ hook: 'session' }] },
    });
  }

  // On a laptop the whole story works out of the box: verification and recovery mail land in
  // the dev inbox (Kratos leaves both off by default).
  for (const flow of ['verification', 'recovery'] as const) {
    if (
      dev &&
      !hasValue(document, ['selfservice', 'flows', flow, 'enabled']) &&
      canWrite(document, ['selfservice', 'flows', flow])
    ) {
      setPath(document, ['selfservice', 'flows', flow, 'enabled'], true);
    }
  }

  // A laptop run never calls out to the HIBP API unless asked to (Kratos enables it by default).
  if (
    dev &&
    !hasValue(document, ['selfservice', 'methods', 'password', 'config', 'haveibeenpwned_enabled']) &&
    canWrite(document, ['selfservice', 'methods', 'password', 'config'])
  ) {
    setPath(document, ['selfservice', 'methods', 'password', 'config', 'haveibeenpwned_enabled'], false);
  }

  // Portcullis hashes new passwords with argon2id unless told otherwise; Kratos's schema says
  // bcrypt, but argon2id is the current OWASP recommendation and bcrypt truncates at 72 bytes.
  if (!hasValue(document, ['hashers', 'algorithm']) && canWrite(document, ['hashers'])) {
    setPath(document, ['hashers', 'algorithm'], 'argon2');
  }
  return { dataDir, issues };
}

/** True for the DSNs that keep the database in memory (`memory`, SQLite `:memory:`). */
export function isMemoryDsn(dsn: string): boolean {
  return dsn === 'memory' || dsn.includes(':memory:');
}

function applyListenerDefaults(document: JsonObject, name: 'public' | 'admin', dev: boolean): void {
  const path = ['serve', name];
  if (!canWrite(document, path)) return; // a wrong type is reported by validation
  if (!hasValue(document, [...path, 'host']))
    setPath(document, [...path, 'host'], dev ? '127.0.0.1' : '0.0.0.0');
  if (!hasValue(document, [...path, 'port'])) setPath(document, [...path, 'port'], DEFAULT_PORTS[name]);
  if (hasValue(document, [...path, 'base_url'])) return;
  const listener = getObject(document, path);
  const host = listener?.host;
  const port = listener?.port;
  if (typeof host !== 'string' || typeof port !== 'number' || !Number.isInteger(port)) return;
  const scheme = isJsonObject(listener?.tls) && hasValue(listener.tls, ['cert']) ? 'https' : 'http';
  setPath(document, [...path, 'base_url'], `${scheme}://${publicHost(host)}:${port}/`);
}

/**
 * A wildcard bind address is not somewhere a browser can go. Kratos substitutes the machine's
 * hostname; we use 127.0.0.1, which works on the machine itself and never leaks a hostname.
 * Behind a proxy or on another host, set `serve.<listener>.base_url`.
 */
function publicHost(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function resolveAgainstBase(base: string, relative: string): string | undefined {
  try {
    const url = new URL(base);
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return new URL(relative, url).toString();
  } catch {
    return undefined;
  }
}

/** True when every step of `path` is an object or missing, so writing there loses nothing. */
function canWrite(document: JsonObject, path: readonly string[]): boolean {
  for (let depth = 1; depth <= path.length; depth++) {
    const value = getPath(document, path.slice(0, depth));
    if (value !== undefined && value !== null && !isJsonObject(value)) return false;
  }
  return true;
}
