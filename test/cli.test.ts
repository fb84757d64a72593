import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openDatabase } from '../src/persistence/database.js';
import { parseDsn } from '../src/persistence/dsn.js';
import { BIN, runCli, startCli, waitFor } from './support/cli.js';
import { testDatabases } from './support/databases.js';
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
      ['migrate', 'sql', 'up', '--help'],
      ['migrate', 'sql', 'status', '--help'],
      ['migrate', 'sql', 'down', '--help'],
      ['identities', 'import', '--help'],
      ['import', 'identities', '--help'],
      ['list', 'identities', '--help'],
      ['get', 'identity', '--help'],
      ['delete', 'identity', '--help'],
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
      // One identity imported prints as one object, as Kratos's cmdx.PrintRow.
      const created = JSON.parse(imported.stdout) as { id: string };
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

/** How many migrations the database at `dsn` still lacks. */
async function pendingCount(dsn: string): Promise<number> {
  const database = await openDatabase(parseDsn(dsn));
  try {
    return (await database.pendingMigrations()).length;
  } finally {
    await database.close();
  }
}

/** A SQLite file in the test directory; and a fresh PostgreSQL database when DATABASE_URL is set. */
async function databases(name: string): Promise<{ label: string; dsn: string; drop(): Promise<void> }[]> {
  const out = [{ label: 'sqlite', dsn: `sqlite://${join(dir, `${name}.sqlite`)}`, drop: async () => {} }];
  for (const database of testDatabases().filter((d) => d.name === 'postgres'))
    out.push({ label: 'postgres', ...(await database.create()) });
  return out;
}

describe('portcullis migrate sql, as Kratos runs it', () => {
  it('takes -c before the subcommand, reads the dsn of a config it does not validate, with -e', async () => {
    const dsn = `sqlite://${join(dir, 'quickstart.sqlite')}`;
    const file = join(dir, 'quickstart.yml');
    // Kratos's getPersister skips validation: a config with dsn and broken or missing other keys is fine.
    await writeFile(
      file,
      stringify({ dsn, selfservice: { flows: { login: { lifespan: '10 minutes' } } }, unknown_key: 1 }),
    );
    // Kratos's quickstart: `kratos -c /etc/config/kratos/kratos.yml migrate sql -e --yes`.
    const result = await runCli(['-c', file, 'migrate', 'sql', '-e', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Applied \d+ migration/);
    expect(await pendingCount(dsn)).toBe(0);

    // -e reads the dsn key, and DSN overrides the file's as any env var overrides its key.
    const fromEnv = `sqlite://${join(dir, 'quickstart-env.sqlite')}`;
    const env = await runCli(['migrate', 'sql', '-e', '--yes', '--config', file], { env: { DSN: fromEnv } });
    expect(env.code, env.stderr).toBe(0);
    expect(await pendingCount(fromEnv)).toBe(0);
  });

  it('takes one file per -c (commas separate several), so a DSN after -c stays the DSN', async () => {
    const a = join(dir, 'a.yml');
    const b = join(dir, 'b.yml');
    const dsnA = `sqlite://${join(dir, 'from-a.sqlite')}`;
    const dsnB = `sqlite://${join(dir, 'from-b.sqlite')}`;
    await writeFile(a, stringify({ dsn: dsnA }));
    await writeFile(b, stringify({ dsn: dsnB }));

    const positional = `sqlite://${join(dir, 'positional.sqlite')}`;
    const first = await runCli(['migrate', 'sql', '-c', b, positional, '--yes']);
    expect(first.code, first.stderr).toBe(0);
    expect(await pendingCount(positional)).toBe(0);

    // `-c a.yml,b.yml`: both files, in order; b's dsn wins.
    const merged = await runCli(['migrate', 'sql', '-e', '-c', `${a},${b}`, '--yes']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(await pendingCount(dsnB)).toBe(0);
    expect(await pendingCount(dsnA)).toBeGreaterThan(0);

    // The same root flag works for serve and courier; a command that reads no config refuses it.
    const unused = await runCli(['hashers', 'argon2', 'calibrate', '1s', '-c', a]);
    expect(unused.code).toBe(2);
    expect(unused.stderr).toContain('reads no config file');
  });

  it('answers migrate sql status, up and down (refused) like Kratos, and never with a stack trace', async () => {
    for (const database of await databases('updown')) {
      try {
        const { dsn } = database;
        const before = await runCli(['migrate', 'sql', 'status', dsn]);
        expect(before.code, `${database.label}: ${before.stderr}`).toBe(0);
        expect(before.stdout).toMatch(/^Version\t+Name\t+Status\t+\n/);
        expect(before.stdout).toMatch(/0001\t+identities\t+Pending\t+\n/);

        const up = await runCli(['migrate', 'sql', 'up', '-e', '--yes'], { env: { DSN: dsn } });
        expect(up.code, `${database.label}: ${up.stderr}`).toBe(0);
        expect(await pendingCount(dsn)).toBe(0);

        const status = await runCli(['migrate', 'sql', 'status', '-e', '--format', 'json'], {
          env: { DSN: dsn },
        });
        const statuses = JSON.parse(status.stdout) as { state: string; version: string; name: string }[];
        expect(statuses[0]).toEqual({ state: 'Applied', version: '0001', name: 'identities' });
        expect(statuses.every((m) => m.state === 'Applied')).toBe(true);
        const quiet = await runCli(['migrate', 'sql', 'status', dsn, '-q']);
        expect(quiet.stdout.split('\n')[0]).toBe('0001');

        const down = await runCli(['migrate', 'sql', 'down', dsn, '--steps', '1', '--yes']);
        expect(down.code).toBe(1);
        expect(down.stderr).toContain('cannot be rolled back');
        expect(await pendingCount(dsn)).toBe(0);
      } finally {
        await database.drop();
      }
    }
    const help = await runCli(['migrate', 'sql', 'down', '--help']);
    expect(help.stdout).toMatch(/cannot\s+be\s+rolled\s+back/);

    for (const args of [
      ['migrate', 'sql', 'up', 'nonsense'],
      ['migrate', 'sql', 'status', 'mysql://localhost/x'],
      ['migrate', 'sql', 'up', 'sqlite://'],
      ['migrate', 'sql', 'down', '--steps', 'x'],
      ['migrate', 'sql', 'up', '-e'],
      ['migrate', 'sql', '-c', join(dir, 'missing.yml'), '-e'],
    ]) {
      const bad = await runCli(args);
      expect(bad.code, args.join(' ')).not.toBe(0);
      expect(bad.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
  });
});

describe('portcullis serve, with Kratos flags in the config file', () => {
  it('runs in dev mode for `dev: true` in the config, as for --dev', async () => {
    const work = await mkdtemp(join(dir, 'devkey-'));
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    const file = join(work, 'dev.yml');
    // Nothing else: dev mode supplies the database, the schema and the secrets.
    await writeFile(file, stringify({ dev: true, 'watch-courier': false }));
    const server = startCli(['serve', '-c', file], {
      cwd: work,
      env: { SERVE_PUBLIC_PORT: String(publicPort), SERVE_ADMIN_PORT: String(adminPort) },
    });
    try {
      await waitFor(async () =>
        (await fetch(`http://127.0.0.1:${adminPort}/health/ready`)).status === 200 ? true : undefined,
      );
      expect(server.output()).toMatch(/secret/i);
      // watch-courier: false in the file wins over dev mode's default.
      expect(server.output()).not.toContain('courier worker started');
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('close', r));
    }
  });
});

describe('portcullis import|list|get|delete identity, as Kratos', () => {
  it('manages identities with the verb-first commands, --format and --quiet', async () => {
    const work = await mkdtemp(join(dir, 'verbs-'));
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    const server = startCli(['serve', '--dev'], {
      cwd: work,
      env: { SERVE_PUBLIC_PORT: String(publicPort), SERVE_ADMIN_PORT: String(adminPort) },
    });
    try {
      const admin = `http://127.0.0.1:${adminPort}`;
      await waitFor(async () => ((await fetch(`${admin}/health/ready`)).status === 200 ? true : undefined));
      const file = join(work, 'people.json');
      await writeFile(
        file,
        JSON.stringify([
          { schema_id: 'default', traits: { email: 'lin@example.com' } },
          { schema_id: 'default', traits: { email: 'max@example.com' } },
        ]),
      );
      const imported = await runCli(['import', 'identities', file, '-e', admin, '--format', 'json']);
      expect(imported.code, imported.stderr).toBe(0);
      const ids = (JSON.parse(imported.stdout) as { id: string }[]).map((i) => i.id);
      expect(ids).toHaveLength(2);

      const table = await runCli(['list', 'identities', '--endpoint', admin]);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toMatch(
        /^ID\t+VERIFIED ADDRESS 1\t+RECOVERY ADDRESS 1\t+SCHEMA ID\t+SCHEMA URL\t+\n/,
      );
      expect(table.stdout).toContain('lin@example.com');
      const quiet = await runCli(['ls', 'identities', '-e', admin, '-q']);
      expect(quiet.stdout.trim().split('\n').sort()).toEqual([...ids].sort());

      // The verb's flags may come before the noun, as Kratos's persistent flags.
      const one = await runCli(['get', '--format', 'json-pretty', 'identity', ids[0] ?? '', '-e', admin]);
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout).toContain('\n  "id": ');
      expect(JSON.parse(one.stdout)).toMatchObject({ id: ids[0] });
      const pointer = await runCli([
        'get',
        'identities',
        ...ids,
        '-e',
        admin,
        '--format',
        'jsonpointer=/1/id',
      ]);
      expect(JSON.parse(pointer.stdout)).toBe(ids[1]);
      const row = await runCli(['get', 'identity', ids[0] ?? '', '-e', admin]);
      expect(row.stdout).toMatch(/^ID\t+[0-9a-f-]{36}\t+\nVERIFIED ADDRESSES\t/);
      const refused = await runCli(['get', 'identity', ids[0] ?? '', '-e', admin, '--format', 'csv']);
      expect(refused.code).toBe(2);

      const deleted = await runCli(['delete', 'identity', ids[0] ?? '', '-e', admin]);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.stdout).toBe(`ID\t${ids[0]}\t\n`);
      // One id gone, one still there: the found one prints, the missing one fails the command.
      const partly = await runCli(['get', 'identity', ids[0] ?? '', ids[1] ?? '', '-e', admin, '-q']);
      expect(partly.code).toBe(1);
      expect(partly.stdout).toBe(`${ids[1]}\n`);
      expect(partly.stderr).toContain(`${ids[0]}: 404`);
      // The older layout keeps working, with the same flags.
      const old = await runCli([
        'identities',
        'delete',
        ids[1] ?? '',
        '--endpoint',
        admin,
        '--format',
        'json',
      ]);
      expect(old.code, old.stderr).toBe(0);
      expect(JSON.parse(old.stdout)).toBe(ids[1]);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('close', r));
    }
  });
});
