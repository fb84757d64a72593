import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';
import { MINIMAL_YAML } from './testing/minimal.js';
import { makeTempDir, type TempDir } from './testing/temp-dir.js';

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

const load = (files: string[], env: Record<string, string> = {}) =>
  loadConfig({ files, env, dev: false, cwd: dir.path });

async function loadError(files: string[], env: Record<string, string> = {}): Promise<ConfigError> {
  const error = await load(files, env).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('config files', () => {
  it('loads YAML', async () => {
    const file = await dir.write('kratos.yml', `${MINIMAL_YAML}\nserve:\n  public:\n    port: 1234\n`);
    const config = await load([file]);
    expect(config.dsn).toBe('memory');
    expect(config.serve.public.port).toBe(1234);
    expect(config.identity).toEqual({
      defaultSchemaId: 'default',
      schemas: [{ id: 'default', url: 'file:///etc/portcullis/identity.schema.json' }],
    });
  });

  it('loads JSON', async () => {
    const file = await dir.write(
      'kratos.json',
      JSON.stringify({
        dsn: 'postgres://u:p@db:5432/kratos',
        identity: { schemas: [{ id: 'default', url: 'file:///x.json' }] },
        selfservice: { default_browser_return_url: 'https://app.example.com/' },
        secrets: { default: ['0123456789abcdef0123'] },
        log: { level: 'debug', format: 'json' },
      }),
    );
    const config = await load([file]);
    expect(config.dsn).toBe('postgres://u:p@db:5432/kratos');
    expect(config.log).toEqual({ level: 'debug', format: 'json', leakSensitiveValues: false });
  });

  it('resolves relative file paths against cwd', async () => {
    await dir.write('kratos.yml', MINIMAL_YAML);
    const config = await load(['kratos.yml']);
    expect(config.dsn).toBe('memory');
  });

  it('merges files in order: objects deep, arrays and scalars replaced by the later file', async () => {
    const base = await dir.write(
      'base.yml',
      `${MINIMAL_YAML}
serve:
  public:
    port: 1111
    cors:
      enabled: true
      allowed_origins: [https://a.example.com, https://b.example.com]
log:
  level: info
`,
    );
    const override = await dir.write(
      'override.json',
      JSON.stringify({
        serve: { public: { cors: { allowed_origins: ['https://c.example.com'] } }, admin: { port: 2222 } },
        log: { level: 'error' },
      }),
    );
    const config = await load([base, override]);
    expect(config.serve.public.port).toBe(1111);
    expect(config.serve.admin.port).toBe(2222);
    expect(config.log.level).toBe('error');
    expect(config.document.serve?.public?.cors).toEqual({
      enabled: true,
      allowed_origins: ['https://c.example.com'],
    });
  });

  it('reports a missing file', async () => {
    const error = await loadError([`${dir.path}/nope.yml`]);
    expect(error.issues).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('file not found'),
        source: `${dir.path}/nope.yml`,
      }),
    ]);
  });

  it('reports a YAML syntax error with its position but without the offending line', async () => {
    const file = await dir.write(
      'bad.yml',
      'secrets:\n  default: [abc\n  cookie: "supersecret-value-here"\n',
    );
    const error = await loadError([file]);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.message).toMatch(/^cannot parse config file: .*line \d+, column \d+/);
    expect(error.message).not.toContain('supersecret');
  });

  it('reports duplicate keys, which YAML forbids', async () => {
    const file = await dir.write('dup.yml', 'dsn: memory\ndsn: sqlite://x.db\n');
    const error = await loadError([file]);
    expect(error.issues[0]?.message).toMatch(/cannot parse config file/);
  });

  it('rejects a file whose top level is not a mapping', async () => {
    const file = await dir.write('list.yml', '- a\n- b\n');
    const error = await loadError([file]);
    expect(error.issues[0]?.message).toMatch(/mapping of keys/);
  });

  it('reports every unreadable file, not only the first', async () => {
    const bad = await dir.write('bad.json', '{ "dsn": ');
    const error = await loadError([`${dir.path}/missing.yml`, bad]);
    expect(error.issues.map((issue) => issue.source)).toEqual([`${dir.path}/missing.yml`, bad]);
  });

  it('treats an empty file as an empty config', async () => {
    const empty = await dir.write('empty.yml', '');
    const full = await dir.write('kratos.yml', MINIMAL_YAML);
    const config = await load([empty, full]);
    expect(config.dsn).toBe('memory');
  });
});
