import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadAccessConfig, loadConfig } from './load.js';
import { MINIMAL_YAML } from './testing/minimal.js';
import { makeTempDir, type TempDir } from './testing/temp-dir.js';

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

/** Oathkeeper's keys and nothing of Kratos's: what an access-proxy fleet is given. */
const OATHKEEPER_ONLY_YAML = `
serve:
  proxy:
    port: 4455
  api:
    port: 4456
access_rules:
  repositories:
    - file://rules.json
authenticators:
  anonymous:
    enabled: true
authorizers:
  allow:
    enabled: true
mutators:
  noop:
    enabled: true
errors:
  fallback: [json]
`;

async function errorOf(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const options = (files: string[], dev = false, env: Record<string, string> = {}) => ({
  files,
  env,
  dev,
  cwd: dir.path,
});

describe('loadAccessConfig (a process without an identity role)', () => {
  it('takes a config with only Oathkeeper keys: no dsn, identity, selfservice or secrets', async () => {
    const file = await dir.write('oathkeeper.yml', OATHKEEPER_ONLY_YAML);
    const config = await loadAccessConfig(options([file]));
    expect(config.document.serve?.proxy).toEqual({ port: 4455 });
    expect(config.document.access_rules).toEqual({ repositories: ['file://rules.json'] });
    expect(config.document.dsn).toBeUndefined();
    expect(config.log).toEqual({ level: 'info', format: 'text', leakSensitiveValues: false });
    expect(config.warnings).toEqual([]);
  });

  it('fills in no identity defaults, even with --dev: no database, data directory or secrets', async () => {
    const file = await dir.write('oathkeeper.yml', OATHKEEPER_ONLY_YAML);
    const config = await loadAccessConfig(options([file], true));
    expect(config.dev).toBe(true);
    expect(config.document.dsn).toBeUndefined();
    expect(config.document.identity).toBeUndefined();
    expect(config.document.secrets).toBeUndefined();
    await expect(stat(join(dir.path, '.portcullis'))).rejects.toThrow();
  });

  it('still validates every key that is present, Kratos keys included, with env vars on top', async () => {
    const file = await dir.write(
      'oathkeeper.yml',
      `${OATHKEEPER_ONLY_YAML}selfservice:\n  flows: {}\nhashers:\n  algorithm: md5\n`,
    );
    const error = await errorOf(loadAccessConfig(options([file], false, { SERVE_API_PORT: 'abc' })));
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'hashers.algorithm',
      'selfservice.default_browser_return_url',
      'serve.api.port',
    ]);
  });

  it('reads a whole Kratos and Oathkeeper config as well (one file for both deployments)', async () => {
    const file = await dir.write('both.yml', `${MINIMAL_YAML}${OATHKEEPER_ONLY_YAML}`);
    const config = await loadAccessConfig(options([file]));
    expect(config.document.dsn).toBe('memory');
    expect(config.document.serve?.api).toEqual({ port: 4456 });
  });

  it('is not what loadConfig does: the identity side still requires its keys, with their paths', async () => {
    const file = await dir.write('oathkeeper.yml', OATHKEEPER_ONLY_YAML);
    const error = await errorOf(loadConfig(options([file])));
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'dsn: is required',
      'identity: is required',
      expect.stringMatching(/^secrets\.default: is required/),
      'selfservice: is required',
    ]);
  });
});
