import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from './errors.js';
import { isJsonObject } from './json.js';
import { loadConfig } from './load.js';
import { OATHKEEPER_ROOT_KEYS } from './oathkeeper-schema.js';
import { MINIMAL_YAML } from './testing/minimal.js';
import { makeTempDir, type TempDir } from './testing/temp-dir.js';

const REFERENCE = new URL('./testing/oathkeeper.reference.yaml', import.meta.url);

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

describe('Oathkeeper keys in the default schema', () => {
  it("accepts Oathkeeper's full reference config beside Kratos's keys", async () => {
    const reference: unknown = parse(await readFile(REFERENCE, 'utf8'));
    if (!isJsonObject(reference) || !isJsonObject(reference.serve)) throw new Error('unexpected fixture');
    // Kratos owns log, tracing, profiling and version; Portcullis serves no prometheus listener.
    const { prometheus: _prometheus, ...listeners } = reference.serve;
    const oathkeeper = Object.fromEntries(OATHKEEPER_ROOT_KEYS.map((key) => [key, reference[key]]));
    const main = await dir.write('kratos.yml', MINIMAL_YAML);
    const extra = await dir.write('oathkeeper.json', JSON.stringify({ serve: listeners, ...oathkeeper }));
    const config = await loadConfig({ files: [main, extra], env: {}, dev: false, cwd: dir.path });
    expect(config.document.access_rules).toEqual(reference.access_rules);
    expect(config.document.serve?.proxy).toEqual(listeners.proxy);
  });

  it('maps env vars to Oathkeeper keys', async () => {
    const main = await dir.write('kratos.yml', MINIMAL_YAML);
    const config = await loadConfig({
      files: [main],
      env: {
        SERVE_PROXY_PORT: '9455',
        SERVE_API_PORT: '9456',
        ACCESS_RULES_MATCHING_STRATEGY: 'glob',
        AUTHENTICATORS_ANONYMOUS_ENABLED: 'true',
      },
      dev: false,
      cwd: dir.path,
    });
    expect(config.document.serve?.proxy).toEqual({ port: 9455 });
    expect(config.document.serve?.api).toEqual({ port: 9456 });
    expect(config.document.access_rules).toEqual({ matching_strategy: 'glob' });
    expect(config.document.authenticators).toEqual({ anonymous: { enabled: true } });
  });

  it('rejects a wrong Oathkeeper value with its path', async () => {
    const main = await dir.write(
      'kratos.yml',
      `${MINIMAL_YAML}access_rules:\n  matching_strategy: fuzzy\nauthenticators:\n  noop:\n    enabld: true\n`,
    );
    const error = await loadConfig({ files: [main], env: {}, dev: false, cwd: dir.path }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((issue) => issue.path);
    expect(paths).toContain('access_rules.matching_strategy');
    expect(paths).toContain('authenticators.noop.enabld');
  });
});
