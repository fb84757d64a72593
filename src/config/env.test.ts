import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envIndexFor, resolveEnvName } from './env.js';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';
import { defaultConfigSchema } from './schema.js';
import { MINIMAL_YAML } from './testing/minimal.js';
import { makeTempDir, type TempDir } from './testing/temp-dir.js';

let dir: TempDir;
let file: string;
beforeEach(async () => {
  dir = await makeTempDir();
  file = await dir.write('kratos.yml', MINIMAL_YAML);
});
afterEach(async () => {
  await dir.cleanup();
});

const load = (env: Record<string, string | undefined>, files = [file]) =>
  loadConfig({ files, env, dev: false, cwd: dir.path });

async function loadError(env: Record<string, string | undefined>): Promise<ConfigError> {
  const error = await load(env).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('env var names', () => {
  const index = envIndexFor(defaultConfigSchema());
  const pathOf = (name: string) => resolveEnvName(index, name)?.path.join('.');

  it.each([
    ['SERVE_PUBLIC_PORT', 'serve.public.port'],
    ['SECRETS_COOKIE', 'secrets.cookie'],
    ['SELFSERVICE_FLOWS_LOGIN_UI_URL', 'selfservice.flows.login.ui_url'],
    ['IDENTITY_DEFAULT_SCHEMA_ID', 'identity.default_schema_id'],
    ['DSN', 'dsn'],
    ['LOG_LEVEL', 'log.level'],
    ['LOG_LEAK_SENSITIVE_VALUES', 'log.leak_sensitive_values'],
    ['COURIER_SMTP_CONNECTION_URI', 'courier.smtp.connection_uri'],
    ['COURIER_SMTP_HEADERS', 'courier.smtp.headers'],
    ['TRACING_PROVIDER', 'tracing.provider'],
    ['CACHE_REDIS_URL', 'cache.redis.url'],
    ['IDENTITY_SCHEMAS_0_URL', 'identity.schemas.0.url'],
    [
      'SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_1_CLIENT_SECRET',
      'selfservice.methods.oidc.config.providers.1.client_secret',
    ],
  ])('%s -> %s', (name, path) => {
    expect(pathOf(name)).toBe(path);
  });

  it.each([
    'PATH',
    'HOME',
    'VERSION',
    'HELP',
    'CONFIG',
    'DEV',
    'REVISION',
    'serve_public_port',
    'SERVE_PUBLIC',
  ])('ignores %s', (name) => {
    // SERVE_PUBLIC is an object path and therefore known; everything else must be ignored.
    if (name === 'SERVE_PUBLIC') expect(pathOf(name)).toBe('serve.public');
    else expect(pathOf(name)).toBeUndefined();
  });

  it('has no two key paths that spell the same env var name', () => {
    expect(index.collisions).toEqual([]);
  });
});

describe('env overrides', () => {
  it('coerces an integer and wins over the file', async () => {
    const config = await load({ SERVE_PUBLIC_PORT: '5555' });
    expect(config.serve.public.port).toBe(5555);
    expect(config.document.serve?.public?.port).toBe(5555);
  });

  it('splits a comma list into an array of strings', async () => {
    const config = await load({ SECRETS_COOKIE: 'cookie-secret-aaaaaaaa, cookie-secret-bbbbbbbb' });
    expect(config.secrets.cookie).toEqual(['cookie-secret-aaaaaaaa', 'cookie-secret-bbbbbbbb']);
    expect(config.secrets.default).toEqual(['a-very-long-secret-value-0001']);
  });

  it('reads a list as CSV, as configx: the Helm chart quotes each secret, quotes may hold commas', async () => {
    // ory/k8s's chart writes rotated secrets as "new","old" (kratos.secrets.default).
    const helm = await load({ SECRETS_DEFAULT: '"new-secret-aaaaaaaaaaaa","old-secret-bbbbbbbbbbbb"' });
    expect(helm.secrets.default).toEqual(['new-secret-aaaaaaaaaaaa', 'old-secret-bbbbbbbbbbbb']);
    const quoted = await load({
      SECRETS_COOKIE: '"cookie-secret-with,comma-1","cookie ""quoted"" secret-2"',
    });
    expect(quoted.secrets.cookie).toEqual(['cookie-secret-with,comma-1', 'cookie "quoted" secret-2']);
    await expect(load({ SECRETS_COOKIE: '"cookie-secret-unterminated-1' })).rejects.toThrow(
      /SECRETS_COOKIE|secrets\.cookie/,
    );
    await expect(load({ SECRETS_COOKIE: 'cookie-"secret"-bare-quote-1' })).rejects.toThrow(
      /SECRETS_COOKIE|secrets\.cookie/,
    );
  });

  it('accepts a JSON array for a string list', async () => {
    const config = await load({ SECRETS_DEFAULT: '["json-secret-with,comma-0001"]' });
    expect(config.secrets.default).toEqual(['json-secret-with,comma-0001']);
  });

  it('parses an array of objects from JSON', async () => {
    const config = await load({
      IDENTITY_SCHEMAS:
        '[{"id":"customer","url":"file:///schemas/customer.json"},{"id":"default","url":"https://x/s.json"}]',
    });
    expect(config.identity.schemas).toEqual([
      { id: 'customer', url: 'file:///schemas/customer.json' },
      { id: 'default', url: 'https://x/s.json' },
    ]);
  });

  it('sets a key inside an array item by index', async () => {
    const config = await load({ IDENTITY_SCHEMAS_0_URL: 'https://schemas.example.com/default.json' });
    expect(config.identity.schemas).toEqual([
      { id: 'default', url: 'https://schemas.example.com/default.json' },
    ]);
  });

  it('rejects an index past the end of the list', async () => {
    const error = await loadError({ IDENTITY_SCHEMAS_3_URL: 'https://x/s.json' });
    expect(error.issues).toContainEqual(
      expect.objectContaining({ path: 'identity.schemas.3.url', source: 'env IDENTITY_SCHEMAS_3_URL' }),
    );
  });

  it('takes enums, strings and booleans', async () => {
    const config = await load({
      LOG_LEVEL: 'trace',
      LOG_FORMAT: 'json',
      LOG_LEAK_SENSITIVE_VALUES: '1',
      DSN: 'sqlite:///tmp/x.db',
    });
    expect(config.log).toEqual({ level: 'trace', format: 'json', leakSensitiveValues: true });
    expect(config.dsn).toBe('sqlite:///tmp/x.db');
  });

  it('merges a JSON object into what the file set, and a deeper variable wins over it', async () => {
    const config = await load({
      SERVE_PUBLIC: '{"port": 7000, "cors": {"enabled": true}}',
      SERVE_PUBLIC_CORS_ENABLED: 'false',
      COURIER_SMTP_HEADERS: '{"X-Env":"prod"}',
    });
    expect(config.serve.public.port).toBe(7000);
    expect(config.document.serve?.public?.cors).toEqual({ enabled: false });
    expect(config.document.courier).toEqual({ smtp: { headers: { 'X-Env': 'prod' } } });
  });

  it('ignores unrelated and excluded variables, and empty ones', async () => {
    const config = await load({
      PATH: '/usr/bin',
      HOME: '/root',
      VERSION: 'not-a-semver',
      DEV: 'yes',
      CONFIG: 'x',
      HELP: '1',
      REVISION: 'abc',
      DSN: '',
      serve_public_port: '9',
      DATABASE: 'postgres',
      CACHE: 'redis',
      LOG: '1',
      SERVE_PUBLIC: 'x',
    });
    expect(config.document.version).toBeUndefined();
    expect(config.dsn).toBe('memory');
    expect(config.serve.public.port).toBe(4433);
  });

  it('reports a value that does not fit the type, naming the variable but not the value', async () => {
    const error = await loadError({
      SERVE_PUBLIC_PORT: 'abc',
      IDENTITY_SCHEMAS: '[{"id": "x", url',
      LOG_LEAK_SENSITIVE_VALUES: 'yes',
    });
    expect(error.issues).toEqual([
      {
        path: 'identity.schemas',
        message: 'expected a JSON array, but the value is not valid JSON',
        source: 'env IDENTITY_SCHEMAS',
      },
      {
        path: 'log.leak_sensitive_values',
        message: 'expected a boolean (true, false, 1 or 0)',
        source: 'env LOG_LEAK_SENSITIVE_VALUES',
      },
      { path: 'serve.public.port', message: 'expected an integer', source: 'env SERVE_PUBLIC_PORT' },
    ]);
  });

  it('names the env var when its value fails validation', async () => {
    const error = await loadError({ SERVE_ADMIN_PORT: '70000' });
    expect(error.issues).toEqual([
      { path: 'serve.admin.port', message: 'must be <= 65535', source: 'env SERVE_ADMIN_PORT' },
    ]);
  });

  it('reads CACHE_REDIS_URL, and REDIS_URL as its alias', async () => {
    expect((await load({ REDIS_URL: 'redis://alias:6379' })).cache.redisUrl).toBe('redis://alias:6379');
    expect(
      (await load({ CACHE_REDIS_URL: 'redis://canonical:6379', REDIS_URL: 'redis://alias:6379' })).cache
        .redisUrl,
    ).toBe('redis://canonical:6379');
    expect((await load({})).cache.redisUrl).toBeUndefined();
  });
});
