import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BIN, runCli, startCli, waitFor } from './support/cli.js';
import { freePort } from './support/ports.js';
import { EXAM_SCHEMA_URL } from './support/server.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('portcullis CLI', () => {
  it('prints help for every command and exits 0', async () => {
    for (const args of [
      ['--help'],
      ['serve', '--help'],
      ['migrate', 'sql', '--help'],
      ['identities', 'import', '--help'],
    ]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toContain('Usage: portcullis');
    }
  });

  it('says it is not built when dist is missing, and names a missing package as itself', async () => {
    // The launcher alone, in a package of its own: first without a build, then with a build whose
    // CLI imports a package that is not installed.
    const root = join(dir, 'launcher');
    await mkdir(join(root, 'bin'), { recursive: true });
    await copyFile(BIN, join(root, 'bin', 'portcullis.js'));
    await writeFile(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
    const launch = () =>
      spawnSync(process.execPath, [join(root, 'bin', 'portcullis.js'), '--help'], { encoding: 'utf8' });

    const unbuilt = launch();
    expect(unbuilt.status).toBe(1);
    expect(unbuilt.stderr).toContain('portcullis is not built yet');

    await mkdir(join(root, 'dist', 'kernel'), { recursive: true });
    await mkdir(join(root, 'dist', 'cli'), { recursive: true });
    await writeFile(
      join(root, 'dist', 'kernel', 'tick-object-shape.js'),
      'export function pinTickObjectShape() {}\n',
    );
    await writeFile(
      join(root, 'dist', 'cli', 'main.js'),
      "import 'no-such-package-here';\nexport function main() {}\n",
    );
    const broken = launch();
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toContain("Cannot find package 'no-such-package-here'");
    expect(broken.stderr).not.toContain('not built yet');
  });

  it('fails with exit 2 and a clear message on unknown commands and flags', async () => {
    const command = await runCli(['serv']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command 'serv'/);
    expect(command.stderr).toMatch(/Did you mean serve\?/);
    const flag = await runCli(['serve', '--devv']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--devv'/);
  });

  it('refuses an invalid config with the key path, before any port opens', async () => {
    const port = await freePort();
    const file = join(dir, 'bad.yml');
    await writeFile(
      file,
      stringify({
        dsn: 'memory',
        serve: { public: { port, prot: 1 }, admin: { port: 'abc' } },
        identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: EXAM_SCHEMA_URL }] },
        selfservice: { default_browser_return_url: 'http://127.0.0.1/' },
        secrets: { default: ['a-test-secret-that-is-long-enough'] },
      }),
    );
    const result = await runCli(['serve', '-c', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('serve.public.prot');
    expect(result.stderr).toContain('serve.admin.port');
    // Nothing listens on the configured port.
    await expect(fetch(`http://127.0.0.1:${port}/health/alive`)).rejects.toThrow();
  });

  it('migrates a database given as a DSN, then finds nothing to do', async () => {
    const dsn = `sqlite://${join(dir, 'migrate.sqlite')}`;
    const first = await runCli(['migrate', 'sql', dsn, '--yes']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration/);
    const second = await runCli(['migrate', 'sql', '-e', '--yes'], { env: { DSN: dsn } });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('up to date');
    const unconfirmed = await runCli(['migrate', 'sql', `sqlite://${join(dir, 'other.sqlite')}`]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('--yes');
  });

  it('serves with --dev and no config, and manages identities through the admin API', async () => {
    const work = await mkdtemp(join(dir, 'dev-'));
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    const server = startCli(['serve', '--dev'], {
      cwd: work,
      env: { SERVE_PUBLIC_PORT: String(publicPort), SERVE_ADMIN_PORT: String(adminPort) },
    });
    try {
      const admin = `http://127.0.0.1:${adminPort}`;
      await waitFor(async () => ((await fetch(`${admin}/health/ready`)).status === 200 ? true : undefined));
      expect(server.output()).toMatch(/secret/i);

      const identityFile = join(work, 'ada.json');
      await writeFile(
        identityFile,
        JSON.stringify({
          schema_id: 'default',
          traits: { email: 'ada@example.com' },
          credentials: { password: { config: { password: 'a long passphrase' } } },
        }),
      );
      const imported = await runCli([
        'identities',
        'import',
        identityFile,
        '--endpoint',
        admin,
        '--format',
        'json',
      ]);
      expect(imported.code, imported.stderr).toBe(0);
      const [created] = JSON.parse(imported.stdout) as { id: string }[];
      expect(created?.id).toMatch(/^[0-9a-f-]{36}$/);

      const listed = await runCli(['identities', 'list', '--endpoint', admin]);
      expect(listed.stdout).toContain('ada@example.com');
      const got = await runCli([
        'identities',
        'get',
        created?.id ?? '',
        '--endpoint',
        admin,
        '--format',
        'json',
      ]);
      expect(JSON.parse(got.stdout)).toMatchObject({ traits: { email: 'ada@example.com' } });
      const deleted = await runCli(['identities', 'delete', created?.id ?? '', '--endpoint', admin]);
      expect(deleted.code).toBe(0);
      const missing = await runCli(['identities', 'get', created?.id ?? '', '--endpoint', admin]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('404');
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('close', r));
    }
  });
});
