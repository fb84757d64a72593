/**
 * Start-up waits for a PostgreSQL server that is not up yet (Kratos's driver retries connect,
 * open and ping for 5 minutes), logging each retry, instead of exiting; a signal during the wait
 * still ends the process at once; an embedded database starts as before, without waiting. The
 * database commands (`migrate sql`, `cleanup sql`, `courier watch`) wait alike: each runs
 * Kratos's driver Init, with the same retries.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type RunningPortcullis, startPortcullis } from '../src/app/server.js';
import { loadConfig } from '../src/config/index.js';
import { DEFAULT_SCHEMA_URL } from '../src/identity/schema/index.js';
import { openDatabase } from '../src/persistence/database.js';
import { parseDsn } from '../src/persistence/dsn.js';
import { startCli, waitFor } from './support/cli.js';
import { testDatabases } from './support/databases.js';
import { freePort, withFreePorts } from './support/ports.js';
import { EXAM_SCHEMA_URL } from './support/server.js';

const RETRYING = 'unable to connect to the database, retrying';

/**
 * A TCP relay to `target` that starts listening on `port` only when `open()` is called, or after
 * `delayMs` when given.
 */
function relayOpeningLater(port: number, target: URL, delayMs?: number) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let closed = false;
  const open = () => {
    if (server !== undefined || closed) return;
    server = createServer((client) => {
      const upstream = createConnection(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1');
  };
  const timer = delayMs === undefined ? undefined : setTimeout(open, delayMs);
  return {
    open,
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

function capturedLogger() {
  const lines: { msg?: string; level?: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, retries: () => lines.filter((line) => line.msg === RETRYING) };
}

function configDocument(dsn: string, publicPort: number, adminPort: number) {
  return {
    dsn,
    serve: {
      public: { host: '127.0.0.1', port: publicPort, base_url: `http://127.0.0.1:${publicPort}/` },
      admin: { host: '127.0.0.1', port: adminPort, base_url: `http://127.0.0.1:${adminPort}/` },
    },
    identity: {
      default_schema_id: 'exam',
      schemas: [{ id: 'exam', url: EXAM_SCHEMA_URL }],
    },
    selfservice: { default_browser_return_url: `http://127.0.0.1:${publicPort}/` },
    secrets: { default: ['a-test-secret-that-is-long-enough'] },
    hashers: { algorithm: 'argon2', argon2: { memory: '1MB', iterations: 1, parallelism: 1 } },
    log: { level: 'warning' },
  };
}

describe('connecting to the database at start', () => {
  let dir = '';
  const cleanups: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-ops-db-'));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts Portcullis in process, as `serve` does, on `dsn`. */
  async function start(dsn: string, logger: pino.Logger): Promise<RunningPortcullis> {
    const file = join(dir, 'config.yml');
    const cwd = dir;
    return withFreePorts(2, async ([publicPort = 0, adminPort = 0]) => {
      await writeFile(file, stringify(configDocument(dsn, publicPort, adminPort)));
      const config = await loadConfig({
        files: [file],
        env: {},
        dev: false,
        cwd,
        defaults: { identitySchemaUrl: DEFAULT_SCHEMA_URL },
      });
      const running = await startPortcullis(config, logger, { migrate: true, watchCourier: false, cwd });
      cleanups.push(() => running.close());
      return running;
    });
  }

  it.runIf(process.env.DATABASE_URL)(
    'waits for a PostgreSQL server that starts accepting after a few seconds, then becomes ready',
    async () => {
      const [postgres] = testDatabases().filter((d) => d.name === 'postgres');
      if (postgres === undefined) throw new Error('no PostgreSQL');
      const db = await postgres.create();
      cleanups.push(db.drop);
      const relayPort = await freePort();
      const relay = relayOpeningLater(relayPort, new URL(process.env.DATABASE_URL ?? ''), 2_500);
      cleanups.push(() => relay.close());
      const dsn = new URL(db.dsn);
      dsn.hostname = '127.0.0.1';
      dsn.port = String(relayPort);

      const { logger, retries } = capturedLogger();
      const startedAt = Date.now();
      const running = await start(dsn.toString(), logger);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_000);
      expect(retries().length).toBeGreaterThanOrEqual(2);
      expect(retries()[0]).toMatchObject({ level: 40, attempt: 1 });

      const ready = await fetch(`${running.adminUrl}/health/ready`);
      expect(ready.status).toBe(200);
      const identities = await fetch(`${running.adminUrl}/admin/identities`);
      expect(identities.status).toBe(200);
    },
  );

  it.runIf(process.env.DATABASE_URL)(
    'migrate sql, cleanup sql and courier watch wait for a PostgreSQL server that starts accepting later',
    async () => {
      const [postgres] = testDatabases().filter((d) => d.name === 'postgres');
      if (postgres === undefined) throw new Error('no PostgreSQL');
      const [fresh, migrated] = [await postgres.create(), await postgres.create()];
      cleanups.push(fresh.drop, migrated.drop);
      const database = await openDatabase(parseDsn(migrated.dsn));
      await database.migrate();
      await database.close();
      // One relay for the three commands, each on its own database behind it; it opens once
      // every command has failed to connect at least once.
      const relayPort = await freePort();
      const relay = relayOpeningLater(relayPort, new URL(process.env.DATABASE_URL ?? ''));
      cleanups.push(() => relay.close());
      const viaRelay = (dsn: string) => {
        const url = new URL(dsn);
        url.hostname = '127.0.0.1';
        url.port = String(relayPort);
        return url.toString();
      };
      const file = join(dir, 'courier.yml');
      const [publicPort, adminPort] = [await freePort(), await freePort()];
      await writeFile(
        file,
        stringify({
          ...configDocument(viaRelay(migrated.dsn), publicPort, adminPort),
          courier: { smtp: { connection_uri: 'smtp://127.0.0.1:1/?disable_starttls=true' } },
          log: { level: 'info', format: 'json' },
        }),
      );

      const commands = {
        migrate: startCli(['migrate', 'sql', 'up', '-e', '--yes'], { env: { DSN: viaRelay(fresh.dsn) } }),
        cleanup: startCli(['cleanup', 'sql', '--database.cleanup.sleep.tables', '0s'], {
          env: { DSN: viaRelay(migrated.dsn) },
        }),
        courier: startCli(['courier', 'watch', '-c', file], { cwd: dir }),
      };
      const stdout = { migrate: '', cleanup: '' };
      commands.migrate.stdout?.on('data', (d) => (stdout.migrate += d));
      commands.cleanup.stdout?.on('data', (d) => (stdout.cleanup += d));
      const exits = Object.fromEntries(
        Object.entries(commands).map(([name, child]) => [
          name,
          new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))),
        ]),
      );
      cleanups.push(async () => {
        for (const child of Object.values(commands))
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await Promise.all(Object.values(exits));
      });

      // Each keeps retrying instead of exiting, until the server is there.
      const all = Object.values(commands);
      await waitFor(async () => (all.every((c) => c.output().includes(RETRYING)) ? true : undefined), 15_000);
      expect(all.map((child) => child.exitCode)).toEqual([null, null, null]);
      relay.open();

      expect(await exits.migrate).toBe(0);
      expect(stdout.migrate).toMatch(/Applied \d+ migration\(s\)\./);
      // The retries are logged on stderr: stdout stays the command's own output.
      expect(stdout.migrate).not.toContain(RETRYING);
      expect(await exits.cleanup).toBe(0);
      expect(stdout.cleanup).toContain('Done: 0 row(s).');
      await waitFor(
        async () => (commands.courier.output().includes('courier worker started') ? true : undefined),
        15_000,
      );
      expect(commands.courier.exitCode).toBeNull();
    },
  );

  it.each([
    ['memory', () => 'memory'],
    ['a SQLite file', () => `sqlite://${join(dir, 'data', 'db.sqlite')}`],
  ])('starts on %s at once, without waiting or retrying', async (_name, dsn) => {
    const { logger, retries } = capturedLogger();
    const startedAt = Date.now();
    const running = await start(dsn(), logger);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(retries()).toEqual([]);
    expect((await fetch(`${running.adminUrl}/health/ready`)).status).toBe(200);
  });

  // The built CLI (npm test builds it first): `serve` before its signal handlers exist.
  it('ends at once on SIGTERM while it waits for the database', async () => {
    const file = join(dir, 'config.yml');
    const [closed, publicPort, adminPort] = [await freePort(), await freePort(), await freePort()];
    await writeFile(
      file,
      stringify(
        configDocument(`postgres://u:p@127.0.0.1:${closed}/db?sslmode=disable`, publicPort, adminPort),
      ),
    );
    const child = startCli(['serve', '--config', file], { cwd: dir });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    // Two retries logged and still running: it waits rather than exiting.
    await waitFor(async () => (child.output().split(RETRYING).length > 2 ? true : undefined), 15_000);
    expect(child.exitCode).toBeNull();

    const killedAt = Date.now();
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    expect(Date.now() - killedAt).toBeLessThan(2_000);
    expect(signal === 'SIGTERM' || code === 0).toBe(true);
  });
});
