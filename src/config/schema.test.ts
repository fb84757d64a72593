import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envIndexFor, resolveEnvName } from './env.js';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';
import {
  buildConfigSchema,
  type ConfigSchemaExtension,
  defaultConfigSchema,
  portcullisExtension,
} from './schema.js';
import { MINIMAL_YAML } from './testing/minimal.js';
import { makeTempDir, type TempDir } from './testing/temp-dir.js';

// The shape of what the Oathkeeper issue will add, reduced to what the test needs.
const proxyExtension: ConfigSchemaExtension = {
  name: 'proxy-test',
  properties: {
    access_rules: {
      type: 'object',
      additionalProperties: false,
      properties: { repositories: { type: 'array', items: { type: 'string', format: 'uri' } } },
    },
  },
  serveProperties: {
    proxy: {
      type: 'object',
      additionalProperties: false,
      properties: { port: { type: 'integer', default: 4455 }, host: { type: 'string' } },
    },
  },
};

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

describe('buildConfigSchema', () => {
  const schema = buildConfigSchema([portcullisExtension, proxyExtension]);

  it('adds root keys and serve listeners that validate and take env vars', async () => {
    const file = await dir.write(
      'k.yml',
      `${MINIMAL_YAML}access_rules:\n  repositories: [file:///rules.json]\n`,
    );
    const config = await loadConfig({
      files: [file],
      env: { SERVE_PROXY_PORT: '8455', ACCESS_RULES_REPOSITORIES: 'file:///a.json,https://x/b.json' },
      dev: false,
      cwd: dir.path,
      schema,
    });
    expect(config.document.serve?.proxy).toEqual({ port: 8455 });
    expect(config.document.access_rules).toEqual({ repositories: ['file:///a.json', 'https://x/b.json'] });
  });

  it('reports unknown keys inside extension keys', async () => {
    const file = await dir.write('k.yml', `${MINIMAL_YAML}serve:\n  proxy:\n    prot: 1\n`);
    const error = await loadConfig({ files: [file], env: {}, dev: false, cwd: dir.path, schema }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({ path: 'serve.proxy.prot', message: 'unknown key' }),
    ]);
  });

  it('adds a listener only through an extension', async () => {
    expect(
      resolveEnvName(envIndexFor(buildConfigSchema([portcullisExtension])), 'SERVE_PROXY_PORT'),
    ).toBeUndefined();
    expect(resolveEnvName(envIndexFor(schema), 'SERVE_PROXY_PORT')?.path).toEqual(['serve', 'proxy', 'port']);
    // The default schema carries Oathkeeper's keys (oathkeeper-schema.ts).
    expect(resolveEnvName(envIndexFor(defaultConfigSchema()), 'SERVE_PROXY_PORT')?.path).toEqual([
      'serve',
      'proxy',
      'port',
    ]);
  });

  it('refuses an extension that redefines a key', () => {
    expect(() => buildConfigSchema([{ name: 'bad', properties: { dsn: { type: 'string' } } }])).toThrow(
      /dsn already exists/,
    );
    expect(() =>
      buildConfigSchema([{ name: 'bad', serveProperties: { admin: { type: 'object' } } }]),
    ).toThrow(/serve\.admin already exists/);
  });

  it('does not modify the vendored schema', () => {
    const again = buildConfigSchema([]);
    expect(Object.keys((again.root.properties ?? {}) as object)).not.toContain('access_rules');
    expect(Object.keys((again.root.properties ?? {}) as object)).not.toContain('cache');
  });
});
