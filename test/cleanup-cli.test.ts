import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openDatabase } from '../src/persistence/database.js';
import { parseDsn } from '../src/persistence/dsn.js';
import { flowRowFixture } from '../src/persistence/testing/flow-fixtures.js';
import { runCli } from './support/cli.js';
import { EXAM_SCHEMA_URL } from './support/server.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-cleanup-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HOUR = 3_600_000;

/** A migrated SQLite file holding login flows that expired `hoursAgo` hours ago. */
async function databaseWithFlows(name: string, hoursAgo: number[]): Promise<string> {
  const dsn = `sqlite://${join(dir, `${name}.sqlite`)}`;
  const database = await openDatabase(parseDsn(dsn));
  try {
    await database.migrate();
    for (const hours of hoursAgo) {
      const at = new Date(Date.now() - hours * HOUR);
      await database.db
        .insertInto('selfservice_flows')
        .values(
          flowRowFixture({
            id: randomUUID(),
            type: 'browser',
            request_url: 'http://127.0.0.1/self-service/login/browser',
            issued_at: at,
            expires_at: at,
            created_at: at,
            updated_at: at,
          }),
        )
        .execute();
    }
  } finally {
    await database.close();
  }
  return dsn;
}

async function flowCount(dsn: string): Promise<number> {
  const database = await openDatabase(parseDsn(dsn));
  try {
    return (await database.db.selectFrom('selfservice_flows').select('id').execute()).length;
  } finally {
    await database.close();
  }
}

describe('portcullis cleanup sql', () => {
  it('deletes what expired before --keep-last and reports per table', async () => {
    const dsn = await databaseWithFlows('flags', [1, 10, 20, -1]);
    const result = await runCli(['cleanup', 'sql', dsn, '--keep-last', '6h', '--sleep-tables', '0s']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('selfservice_flows: 2 deleted');
    expect(result.stdout).toContain('Done: 2 row(s).');
    expect(await flowCount(dsn)).toBe(2);
  });

  it('reads database.cleanup from the config file', async () => {
    const dsn = await databaseWithFlows('config', [1, 3, 30]);
    const file = join(dir, 'cleanup.yml');
    await writeFile(
      file,
      stringify({
        dsn,
        identity: { default_schema_id: 'exam', schemas: [{ id: 'exam', url: EXAM_SCHEMA_URL }] },
        selfservice: { default_browser_return_url: 'http://127.0.0.1/' },
        secrets: { default: ['a-test-secret-that-is-long-enough'] },
        database: { cleanup: { older_than: '2h', batch_size: 1, sleep: { tables: '0s' } } },
      }),
    );
    const result = await runCli(['cleanup', 'sql', '-c', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('selfservice_flows: 2 deleted');
    expect(await flowCount(dsn)).toBe(1);
  });

  it('runs the Helm chart CronJob as written: Kratos flag names, DSN from the env, a config without dsn or secrets', async () => {
    const dsn = await databaseWithFlows('helm', [1, 10, 20]);
    const file = join(dir, 'helm-kratos.yaml');
    // The chart's ConfigMap: Kratos keys, dsn and secrets only in the env (here not even secrets).
    await writeFile(
      file,
      stringify({
        version: 'v1.3.0',
        selfservice: { default_browser_return_url: 'http://127.0.0.1:4455/' },
        identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: 'base64://e30=' }] },
        courier: { smtp: { connection_uri: 'smtps://test:test@mailslurper:1025/' } },
      }),
    );
    const result = await runCli(
      [
        'cleanup',
        'sql',
        '--database.cleanup.batch_size',
        '100',
        '--database.cleanup.sleep.tables',
        '1s',
        '--keep-last',
        '6h0m0s',
        '--config',
        file,
      ],
      { env: { DSN: dsn } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('selfservice_flows: 2 deleted');
    expect(await flowCount(dsn)).toBe(1);

    // -b is Kratos's short flag; our --batch-size stays an alias, but not both at once.
    const short = await runCli(['cleanup', 'sql', '-b', '1', '--sleep-tables', '0s'], { env: { DSN: dsn } });
    expect(short.code, short.stderr).toBe(0);
    const both = await runCli(['cleanup', 'sql', dsn, '-b', '1', '--batch-size', '2']);
    expect(both.code).toBe(2);
  });

  it('refuses bad flags and a database that is not migrated, changing nothing', async () => {
    const flag = await runCli(['cleanup', 'sql', 'memory', '--keep-last', 'soon']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--keep-last.*expected a duration/);
    const none = await runCli(['cleanup', 'sql']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give a <dsn>');
    const unmigrated = await runCli(['cleanup', 'sql', `sqlite://${join(dir, 'empty.sqlite')}`]);
    expect(unmigrated.code).toBe(1);
    expect(unmigrated.stderr).toContain('run "portcullis migrate sql" first');
  });
});
