import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';
import { MINIMAL_YAML, PRESET_URL, REQUIRED_YAML, TEST_SECRET } from './testing/minimal.js';
import { makeTempDir, type TempDir } from './testing/temp-dir.js';

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

const loadDev = (files: string[] = [], env: Record<string, string> = {}) =>
  loadConfig({ files, env, dev: true, cwd: dir.path, defaults: { identitySchemaUrl: PRESET_URL } });

async function errorOf(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('--dev defaults', () => {
  it('produce a working config from an empty directory', async () => {
    const config = await loadDev();
    const dataDir = join(dir.path, '.portcullis');
    expect(config.dev).toBe(true);
    expect(config.dataDir).toBe(dataDir);
    expect(config.dsn).toBe(`sqlite://${dataDir}/db.sqlite`);
    expect(config.serve.public).toEqual({
      host: '127.0.0.1',
      port: 4433,
      baseUrl: new URL('http://127.0.0.1:4433/'),
    });
    expect(config.serve.admin).toEqual({
      host: '127.0.0.1',
      port: 4434,
      baseUrl: new URL('http://127.0.0.1:4434/'),
    });
    expect(config.identity).toEqual({
      defaultSchemaId: 'default',
      schemas: [{ id: 'default', url: PRESET_URL }],
    });
    expect(config.document.selfservice?.default_browser_return_url).toBe('http://127.0.0.1:4433/ui/welcome');
    expect(config.document.selfservice?.flows).toMatchObject({
      verification: { enabled: true },
      recovery: { enabled: true },
    });
    expect(config.hashers).toEqual({
      algorithm: 'argon2',
      argon2: { memory: '19MB', iterations: 2, parallelism: 1, saltLength: 16, keyLength: 32 },
      bcrypt: { cost: 12 },
    });
    expect(config.log).toEqual({ level: 'info', format: 'text', leakSensitiveValues: false });
    expect((await stat(dataDir)).isDirectory()).toBe(true);
  });

  it('generate secrets once, store them with mode 0600, and reuse them on the next start', async () => {
    const first = await loadDev();
    expect(first.secrets.default).toHaveLength(1);
    expect(first.secrets.default[0]).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    expect(first.secrets.cookie[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.secrets.cookie).not.toEqual(first.secrets.default);
    expect(first.secrets.cipher).toEqual([]);
    expect(first.warnings.join('\n')).toMatch(/SECURITY WARNING.*generated random ones and stored them/);

    const file = join(dir.path, '.portcullis', 'secrets.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      default: first.secrets.default,
      cookie: first.secrets.cookie,
    });

    const second = await loadDev();
    expect(second.secrets).toEqual(first.secrets);
    expect(second.warnings.join('\n')).toMatch(/SECURITY WARNING.*reused the ones stored in/);
  });

  it('refuse to replace a damaged secrets file', async () => {
    await loadDev();
    await writeFile(join(dir.path, '.portcullis', 'secrets.json'), '{"default": []}');
    const error = await errorOf(loadDev());
    expect(error.issues[0]?.message).toMatch(/not a valid dev secrets file/);
  });

  it('keep generated secrets in memory only with dsn: memory', async () => {
    const config = await loadDev([], { DSN: 'memory' });
    expect(config.dataDir).toBeUndefined();
    expect(config.secrets.default[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(config.warnings.join('\n')).toMatch(/in memory only/);
    await expect(stat(join(dir.path, '.portcullis'))).rejects.toThrow();
  });

  it('never override what the user set', async () => {
    const file = await dir.write(
      'kratos.yml',
      `dsn: sqlite://./data/app.db
serve:
  public:
    base_url: https://id.example.com/
  admin:
    port: 9434
identity:
  default_schema_id: customer
  schemas:
    - id: customer
      url: https://schemas.example.com/customer.json
selfservice:
  default_browser_return_url: https://app.example.com/
secrets:
  cookie: [${TEST_SECRET}]
hashers:
  algorithm: bcrypt
  bcrypt:
    cost: 4
`,
    );
    const config = await loadDev([file]);
    expect(config.dsn).toBe('sqlite://./data/app.db');
    expect(config.serve.public).toEqual({
      host: '127.0.0.1',
      port: 4433,
      baseUrl: new URL('https://id.example.com/'),
    });
    expect(config.serve.admin.baseUrl.href).toBe('http://127.0.0.1:9434/');
    expect(config.identity.defaultSchemaId).toBe('customer');
    expect(config.document.selfservice?.default_browser_return_url).toBe('https://app.example.com/');
    expect(config.secrets).toEqual({ default: [TEST_SECRET], cookie: [TEST_SECRET], cipher: [] });
    expect(config.hashers.algorithm).toBe('bcrypt');
    expect(config.hashers.bcrypt.cost).toBe(4); // --dev allows cheap hashes, as in Kratos
    expect(config.warnings.some((warning) => warning.includes('SECURITY WARNING'))).toBe(false);
  });

  it('derive the return URL from a configured public base URL', async () => {
    const config = await loadDev([], { SERVE_PUBLIC_BASE_URL: 'http://localhost:8080/auth' });
    expect(config.serve.public.baseUrl.href).toBe('http://localhost:8080/auth/');
    expect(config.document.selfservice?.default_browser_return_url).toBe(
      'http://localhost:8080/auth/ui/welcome',
    );
  });

  it('need the built-in identity schema URL when identity is not configured', async () => {
    const error = await errorOf(loadConfig({ files: [], env: {}, dev: true, cwd: dir.path }));
    expect(error.issues).toEqual([{ path: 'identity', message: expect.stringContaining('is required') }]);
  });
});

describe('defaults outside --dev', () => {
  it('listen on all interfaces and derive base URLs on 127.0.0.1', async () => {
    const config = await loadConfig({
      files: [await dir.write('k.yml', MINIMAL_YAML)],
      env: {},
      dev: false,
      cwd: dir.path,
    });
    expect(config.dataDir).toBeUndefined();
    expect(config.serve.public).toEqual({
      host: '0.0.0.0',
      port: 4433,
      baseUrl: new URL('http://127.0.0.1:4433/'),
    });
    expect(config.serve.admin).toEqual({
      host: '0.0.0.0',
      port: 4434,
      baseUrl: new URL('http://127.0.0.1:4434/'),
    });
    expect(config.hashers.algorithm).toBe('argon2');
    expect(config.warnings).toEqual([]);
  });

  it('warn about each CORS wildcard origin that is skipped as unbounded', async () => {
    const config = await loadConfig({
      files: [await dir.write('k.yml', MINIMAL_YAML)],
      env: {
        SERVE_PUBLIC_CORS_ENABLED: 'true',
        SERVE_PUBLIC_CORS_ALLOWED_ORIGINS: 'https://*.example.com,https://*.vercel.app',
      },
      dev: false,
      cwd: dir.path,
    });
    expect(config.warnings).toEqual([
      'serve.public.cors.allowed_origins: "https://*.vercel.app" is not used: "vercel.app" is a public suffix: anyone can register a site under it',
    ]);
  });

  it('use the configured host in base URLs, https when TLS is configured', async () => {
    const config = await loadConfig({
      files: [await dir.write('k.yml', MINIMAL_YAML)],
      env: {
        SERVE_ADMIN_HOST: '10.0.0.5',
        SERVE_PUBLIC_HOST: '::1',
        SERVE_PUBLIC_TLS_CERT_PATH: '/tls/cert.pem',
      },
      dev: false,
      cwd: dir.path,
    });
    expect(config.serve.admin.baseUrl.href).toBe('http://10.0.0.5:4434/');
    expect(config.serve.public.baseUrl.href).toBe('https://[::1]:4433/');
  });

  it('refuse a cookie secure flag that is not a boolean, from a file or the environment', async () => {
    const file = join(dir.path, 'kratos.yml');
    await writeFile(file, 'cookies:\n  secure: "yes"\n');
    const error = await errorOf(loadDev([file], { SESSION_COOKIE_SECURE: 'on' }));
    expect(error.issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['cookies.secure', expect.stringContaining('"yes" is not a boolean')],
      ['session.cookie.secure', expect.stringContaining('"on" is not a boolean')],
    ]);
    await expect(loadDev([], { SESSION_COOKIE_SECURE: '1' })).resolves.toBeDefined();
  });

  it('require dsn, identity and selfservice', async () => {
    const error = await errorOf(
      loadConfig({ files: [], env: { SECRETS_DEFAULT: TEST_SECRET }, dev: false, cwd: dir.path }),
    );
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'dsn: is required',
      'identity: is required',
      'selfservice: is required',
    ]);
  });

  it('fail without secrets instead of generating them', async () => {
    const error = await errorOf(
      loadConfig({ files: [await dir.write('k.yml', REQUIRED_YAML)], env: {}, dev: false, cwd: dir.path }),
    );
    expect(error.issues).toEqual([
      { path: 'secrets.default', message: expect.stringContaining('is required') },
    ]);
    await expect(stat(join(dir.path, '.portcullis'))).rejects.toThrow();
  });

  it('raise a bcrypt cost below 12 to 12, with a warning, as Kratos does', async () => {
    const config = await loadConfig({
      files: [await dir.write('k.yml', MINIMAL_YAML)],
      env: { HASHERS_ALGORITHM: 'bcrypt', HASHERS_BCRYPT_COST: '8' },
      dev: false,
      cwd: dir.path,
    });
    expect(config.hashers.bcrypt.cost).toBe(12);
    expect(config.warnings).toEqual([expect.stringContaining('hashers.bcrypt.cost 8 is below 12')]);
  });

  it('keep argon2 parameters the user set and default the rest', async () => {
    const config = await loadConfig({
      files: [
        await dir.write('k.yml', `${MINIMAL_YAML}hashers:\n  argon2:\n    memory: 64MB\n    iterations: 3\n`),
      ],
      env: {},
      dev: false,
      cwd: dir.path,
    });
    expect(config.hashers.algorithm).toBe('argon2');
    expect(config.hashers.argon2).toEqual({
      memory: '64MB',
      iterations: 3,
      parallelism: 1,
      saltLength: 16,
      keyLength: 32,
    });
  });
});
