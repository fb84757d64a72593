import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type ConfigIssue } from './errors.js';
import { getPath, type JsonObject, setPath } from './json.js';

/** File under the dev data directory that keeps generated secrets across restarts. */
export const DEV_SECRETS_FILE = 'secrets.json';

/** Random secrets for `--dev` when none are configured. */
export interface DevSecrets {
  default: string[];
  cookie: string[];
}

/**
 * True when `secrets.default` or `secrets.cookie` is set to something other than an empty list.
 * A value of the wrong type counts as set: validation reports it, more precisely than "required".
 */
export function hasSigningSecrets(document: JsonObject): boolean {
  return (
    isConfigured(getPath(document, ['secrets', 'default'])) ||
    isConfigured(getPath(document, ['secrets', 'cookie']))
  );
}

/**
 * Outside `--dev` a signing secret is required. Generating one per process, as Kratos does,
 * would log everyone out on each restart and break sessions between replicas.
 */
export function requireSecrets(document: JsonObject, dev: boolean): ConfigIssue | undefined {
  if (dev || hasSigningSecrets(document)) return undefined;
  return {
    path: 'secrets.default',
    message:
      'is required outside --dev (a long random value; env SECRETS_DEFAULT). A generated secret would not survive restarts or be shared by replicas',
  };
}

/**
 * For `--dev` without signing secrets: reuses `<dataDir>/secrets.json` or creates it (mode
 * 0600) with fresh secrets, writes them into `document`, and returns the warning to log.
 * Without a data dir (`dsn: memory`) the secrets live in memory only.
 */
export async function provideDevSecrets(document: JsonObject, dataDir: string | undefined): Promise<string> {
  if (dataDir === undefined) {
    useSecrets(document, generate());
    return (
      'SECURITY WARNING: no secrets are configured (secrets.default / secrets.cookie). --dev generated random ' +
      'secrets in memory only: sessions end when the process stops. Never run --dev in production; set ' +
      'secrets.default (env SECRETS_DEFAULT) to a long random value.'
    );
  }
  const path = join(dataDir, DEV_SECRETS_FILE);
  let secrets = await readSecretsFile(path);
  let how = 'reused the ones stored in';
  if (secrets === undefined) {
    secrets = await createSecretsFile(path);
    how = 'generated random ones and stored them in';
  }
  useSecrets(document, secrets);
  return (
    `SECURITY WARNING: no secrets are configured (secrets.default / secrets.cookie). --dev ${how} ${path}. ` +
    'Never run --dev in production; set secrets.default (env SECRETS_DEFAULT) to a long random value.'
  );
}

function generate(): DevSecrets {
  // 32 random bytes, the key size of HMAC-SHA256 and XChaCha20; base64url keeps them printable.
  return {
    default: [randomBytes(32).toString('base64url')],
    cookie: [randomBytes(32).toString('base64url')],
  };
}

function useSecrets(document: JsonObject, secrets: DevSecrets): void {
  setPath(document, ['secrets', 'default'], secrets.default);
  setPath(document, ['secrets', 'cookie'], secrets.cookie);
}

async function readSecretsFile(path: string): Promise<DevSecrets | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw fileError(path, `cannot read: ${errorCode(error) ?? String(error)}`, error);
  }
  const parsed = parseSecrets(text);
  // A damaged file is not replaced silently: that would end every stored session.
  if (parsed === undefined) {
    throw fileError(
      path,
      'is not a valid dev secrets file ({"default":[...],"cookie":[...]}); delete it to regenerate',
    );
  }
  return parsed;
}

async function createSecretsFile(path: string): Promise<DevSecrets> {
  const secrets = generate();
  try {
    // `wx` fails if another process created the file meanwhile; then its secrets win.
    await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return secrets;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') {
      const existing = await readSecretsFile(path);
      if (existing !== undefined) return existing;
    }
    throw fileError(path, `cannot write: ${errorCode(error) ?? String(error)}`, error);
  }
}

function parseSecrets(text: string): DevSecrets | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !('default' in value) || !('cookie' in value))
    return undefined;
  const { default: signing, cookie } = value;
  if (!isSecretList(signing) || !isSecretList(cookie)) return undefined;
  return { default: signing, cookie };
}

function isSecretList(value: unknown): value is string[] {
  // 16 characters is the Kratos schema's minimum for these keys.
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => typeof item === 'string' && item.length >= 16)
  );
}

function isConfigured(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function fileError(path: string, message: string, cause?: unknown): ConfigError {
  return new ConfigError([{ path: '', message: `dev secrets file ${message}`, source: path }], { cause });
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
