import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { redactConfig } from './redact.js';
import { fixturePath, makeTempDir, type TempDir } from './testing/temp-dir.js';

// Kratos's quickstart configs (copied from shared/reference, see testing/fixtures/SOURCE.md)
// must load unchanged: "existing configs work" is the compatibility promise.
let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

const SCHEMA_URL = 'file:///nonexistent/identity.schema.json';

describe.each(['email-password.kratos.yml', 'all-strategies.kratos.yml'])('Kratos quickstart %s', (name) => {
  it('loads and validates outside --dev', async () => {
    const config = await loadConfig({
      files: [fixturePath(name)],
      // The identity schema is not loaded here; point it anywhere.
      env: { IDENTITY_SCHEMAS_0_URL: SCHEMA_URL },
      dev: false,
      cwd: dir.path,
    });
    expect(config.dsn).toBe('memory');
    expect(config.identity).toEqual({
      defaultSchemaId: 'default',
      schemas: [{ id: 'default', url: SCHEMA_URL }],
    });
    expect(config.serve.admin.baseUrl.href).toBe('http://kratos:4434/');
    expect(config.serve.public.port).toBe(4433);
    expect(config.secrets).toEqual({
      default: ['PLEASE-CHANGE-ME-I-AM-VERY-INSECURE'],
      cookie: ['PLEASE-CHANGE-ME-I-AM-VERY-INSECURE'],
      cipher: ['32-LONG-SECRET-NOT-SECURE-AT-ALL'],
    });
    expect(config.hashers.algorithm).toBe('bcrypt');
    expect(config.hashers.bcrypt.cost).toBe(12);
    expect(config.log).toEqual({ level: 'debug', format: 'text', leakSensitiveValues: true });
    expect(config.warnings).toHaveLength(3); // secrets.default fallback, bcrypt cost, leaking logs
    expect(config.document.courier).toEqual({
      smtp: { connection_uri: 'smtps://test:test@mailslurper:1025/?skip_ssl_verify=true' },
    });
    expect(redactConfig(config.document).courier).toEqual({
      smtp: { connection_uri: 'smtps://test:***@mailslurper:1025/?skip_ssl_verify=true' },
    });
  });

  it('loads with --dev without touching the disk (dsn: memory, secrets configured)', async () => {
    const config = await loadConfig({ files: [fixturePath(name)], env: {}, dev: true, cwd: dir.path });
    expect(config.dataDir).toBeUndefined();
    expect(config.hashers.bcrypt.cost).toBe(8);
    expect(config.warnings).toEqual([expect.stringContaining('secrets.default is not set')]);
  });
});
