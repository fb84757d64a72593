import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';
import { MINIMAL_YAML, REQUIRED_YAML, TEST_SECRET } from './testing/minimal.js';
import { makeTempDir, type TempDir } from './testing/temp-dir.js';

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

async function loadError(yaml: string, env: Record<string, string> = {}): Promise<ConfigError> {
  const file = await dir.write('kratos.yml', yaml);
  const error = await loadConfig({ files: [file], env, dev: false, cwd: dir.path }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('validation', () => {
  it('names an unknown key itself, not only its parent', async () => {
    const error = await loadError(`${MINIMAL_YAML}\nserve:\n  public:\n    prot: 4433\n`);
    expect(error.issues).toEqual([
      { path: 'serve.public.prot', message: 'unknown key', source: `${dir.path}/kratos.yml` },
    ]);
    expect(error.message).toContain('serve.public.prot: unknown key');
  });

  it('reports a wrong type with the key path and the reason', async () => {
    const error = await loadError(`${MINIMAL_YAML}\nserve:\n  public:\n    port: "abc"\n`);
    expect(error.issues).toEqual([
      expect.objectContaining({ path: 'serve.public.port', message: 'must be integer, got string' }),
    ]);
  });

  it('reports a missing required value', async () => {
    const error = await loadError(MINIMAL_YAML.replace('dsn: memory\n', ''));
    expect(error.issues).toEqual([{ path: 'dsn', message: 'is required' }]);
  });

  it('lists every problem at once in a readable message', async () => {
    const error = await loadError(
      `${MINIMAL_YAML.replace('dsn: memory\n', '')}
log:
  level: verbose
serve:
  admin:
    port: 0
    hots: x
`,
    );
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'dsn: is required',
      'log.level: must be one of: trace, debug, info, warning, error, fatal, panic',
      'serve.admin.hots: unknown key',
      'serve.admin.port: must be >= 1',
    ]);
    expect(error.message.split('\n')[0]).toBe('Invalid configuration (4 problems):');
    expect(error.code).toBe('config_invalid');
  });

  it('reports the real problem in a hook, not every hook shape it might have been', async () => {
    const error = await loadError(
      `${REQUIRED_YAML}  flows:
    registration:
      after:
        password:
          hooks:
            - hook: web_hook
              config:
                url: not a url
                method: POST
                bdoy: file:///x.jsonnet
            - hook: sesion
`,
      { SECRETS_DEFAULT: TEST_SECRET },
    );
    const hooks = 'selfservice.flows.registration.after.password.hooks';
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      `${hooks}.0.config.bdoy: unknown key`,
      `${hooks}.0.config.url: must be a valid uri`,
      `${hooks}.1.hook: must be one of: session, web_hook, show_verification_ui, b2b_sso, organization`,
    ]);
  });

  it('applies the schema conditions (recovery enabled needs a courier)', async () => {
    const error = await loadError(`${REQUIRED_YAML}  flows:\n    recovery:\n      enabled: true\n`, {
      SECRETS_DEFAULT: TEST_SECRET,
    });
    expect(error.issues).toEqual([{ path: 'courier', message: 'is required' }]);
  });

  it('checks formats (ajv-formats) and secret lengths', async () => {
    const error = await loadError(`${MINIMAL_YAML}\ncache:\n  redis:\n    url: "not a url"\n`, {
      SECRETS_COOKIE: 'short',
    });
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'cache.redis.url: must be a valid uri',
      'secrets.cookie.0: must NOT have fewer than 16 characters',
    ]);
  });

  it('resolves the tracing schema by its ory:// id', async () => {
    const error = await loadError(`${MINIMAL_YAML}\ntracing:\n  provider: jaeger\n  bogus: 1\n`);
    expect(error.issues).toEqual([
      expect.objectContaining({ path: 'tracing.bogus', message: 'unknown key' }),
    ]);
  });

  it('requires base URLs to be absolute', async () => {
    const error = await loadError(`${MINIMAL_YAML}\nserve:\n  public:\n    base_url: /kratos/\n`);
    expect(error.issues).toEqual([
      {
        path: 'serve.public.base_url',
        message: 'must be an absolute http:// or https:// URL',
        source: `${dir.path}/kratos.yml`,
      },
    ]);
  });

  it('requires the default identity schema id to be listed', async () => {
    const error = await loadError(
      MINIMAL_YAML.replace('identity:\n', 'identity:\n  default_schema_id: customer\n'),
    );
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: 'identity.default_schema_id',
        message: expect.stringContaining('"customer"'),
      }),
    ]);
  });
});
