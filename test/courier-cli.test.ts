import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createCourier } from '../src/courier/index.js';
import { silentLogger } from '../src/kernel/logger.js';
import { type Database, openDatabase } from '../src/persistence/database.js';
import { runCli, startCli, waitFor } from './support/cli.js';
import { freePort } from './support/ports.js';
import { EXAM_SCHEMA_URL } from './support/server.js';
import { startSmtpServer, type TestSmtpServer } from './support/smtp.js';

let dir: string;
let smtp: TestSmtpServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-courier-cli-'));
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A config file over a SQLite file, delivering to the test SMTP server. */
async function configFile(
  name: string,
  extra: Record<string, unknown> = {},
): Promise<{ file: string; dsn: string }> {
  const dsn = `sqlite://${join(dir, `${name}.sqlite`)}`;
  const file = join(dir, `${name}.yml`);
  const document = {
    dsn,
    identity: { default_schema_id: 'exam', schemas: [{ id: 'exam', url: EXAM_SCHEMA_URL }] },
    selfservice: { default_browser_return_url: 'http://127.0.0.1/' },
    secrets: { default: ['a-test-secret-that-is-long-enough'] },
    log: { level: 'info', format: 'json' },
    courier: {
      smtp: { connection_uri: smtp.connectionUri, from_address: 'auth@example.com' },
      worker: { pull_wait: '50ms' },
    },
    ...extra,
  };
  await writeFile(file, stringify(document));
  return { file, dsn };
}

/** Opens the file database (migrated) and queues one message into it, as a flow would. */
async function queueOne(dsn: string, recipient: string): Promise<{ id: string; database: Database }> {
  const database = await openDatabase({ kind: 'sqlite', filename: dsn.slice('sqlite://'.length) });
  await database.migrate();
  const courier = await createCourier({
    config: {
      document: {
        dsn,
        identity: { schemas: [] },
        selfservice: { default_browser_return_url: 'http://127.0.0.1/' },
      },
      dev: true,
    },
    database,
    logger: silentLogger(),
  });
  const { id } = await courier.queueMessage(database.db, {
    recipient,
    template: 'recovery_code_valid',
    data: { To: recipient, RecoveryCode: '777777' },
  });
  await courier.close();
  return { id, database };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function statusOf(database: Database, id: string) {
  return database.db
    .selectFrom('courier_messages')
    .select(['status', 'send_count', 'lease_owner'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('portcullis courier watch', () => {
  it('prints help and refuses a bad --lease', async () => {
    const help = await runCli(['courier', 'watch', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--lease <duration>');
    expect((await runCli(['courier', 'watch', '--lease', 'soon'])).code).toBe(2);
  });

  it('refuses to start without an SMTP server outside --dev, and HTTP delivery without a URL', async () => {
    const noSmtp = await configFile('no-smtp', { courier: {} });
    await queueOne(noSmtp.dsn, 'x@example.com').then(({ database }) => database.close());
    const missing = await runCli(['courier', 'watch', '-c', noSmtp.file]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('courier.smtp.connection_uri');
    const http = await configFile('http', { courier: { delivery_strategy: 'http' } });
    const refused = await runCli(['courier', 'watch', '-c', http.file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'courier.http.request_config.url: is required with courier.delivery_strategy http',
    );
  });

  it('serves Prometheus metrics on --expose-metrics-port at /metrics/prometheus, until it stops', async () => {
    const port = await freePort();
    // Kratos listens on serve.admin.host with the metrics port (config MetricsListenOn).
    const { file, dsn } = await configFile('metrics', { serve: { admin: { host: '127.0.0.1' } } });
    await queueOne(dsn, 'metrics@example.com').then(({ database }) => database.close());
    // The Helm chart's courier StatefulSet: `courier watch --config <file> --expose-metrics-port 4434`.
    const worker = startCli(['courier', 'watch', '--config', file, '--expose-metrics-port', String(port)]);
    const url = `http://127.0.0.1:${port}/metrics/prometheus`;
    try {
      await waitFor(async () => (worker.output().includes('courier worker started') ? true : undefined));
      const first = await fetch(url);
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await first.text()).toMatch(/^process_cpu_user_seconds_total \d/m);
      // The scrapes themselves are counted, as Kratos's PrometheusManager middleware does.
      const second = await (await fetch(url)).text();
      expect(second).toMatch(
        /^http_requests_total\{code="200",method="GET",endpoint="\/metrics\/prometheus",app="kratos",version="[^"]+"\} 1$/m,
      );
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      expect((await fetch(url, { method: 'POST' })).status).toBe(405);
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }
    expect(worker.exitCode).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
    expect((await runCli(['courier', 'watch', '-c', file, '--expose-metrics-port', 'x'])).code).toBe(2);
  });

  it('still delivers a message after the worker is killed mid-send (at-least-once)', async () => {
    const { file, dsn } = await configFile('kill');
    const { id, database } = await queueOne(dsn, 'killed@example.com');
    try {
      smtp.messages.length = 0;
      const held = smtp.hold();
      const first = startCli(['courier', 'watch', '-c', file, '--lease', '2s']);
      await Promise.race([
        held.arrived,
        new Promise((_, reject) => setTimeout(() => reject(new Error(first.output())), 15_000)),
      ]);
      first.kill('SIGKILL');
      await exited(first);
      held.release();
      expect(await statusOf(database, id)).toMatchObject({ status: 'processing', send_count: 1 });

      // A new worker takes the message over once the dead one's lease ends, and sends it again.
      const second = startCli(['courier', 'watch', '-c', file, '--lease', '2s']);
      await waitFor(async () => ((await statusOf(database, id)).status === 'sent' ? true : undefined));
      expect(await statusOf(database, id)).toMatchObject({ send_count: 2, lease_owner: null });
      // The server may have kept the copy whose sender died; both carry one Message-ID to dedupe by.
      expect(smtp.messages.length).toBeGreaterThanOrEqual(1);
      expect(new Set(smtp.messages.map((m) => m.messageId))).toEqual(new Set([`<${id}@example.com>`]));

      second.kill('SIGTERM');
      expect(await exited(second)).toBe(0);
      expect(second.output()).toContain('courier worker stopped');
    } finally {
      await database.close();
    }
  });
});

describe('portcullis serve --watch-courier', () => {
  it('delivers from inside serve when the config file says watch-courier: true, as Kratos reads it', async () => {
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    const { file, dsn } = await configFile('serve-key', {
      'watch-courier': true,
      serve: {
        public: { host: '127.0.0.1', port: publicPort, base_url: `http://127.0.0.1:${publicPort}/` },
        admin: { host: '127.0.0.1', port: adminPort, base_url: `http://127.0.0.1:${adminPort}/` },
      },
    });
    const { id, database } = await queueOne(dsn, 'keyed@example.com');
    const server = startCli(['serve', '-c', file]);
    try {
      await waitFor(async () =>
        smtp.messages.some((m) => m.messageId === `<${id}@example.com>`) ? true : undefined,
      );
      server.kill('SIGTERM');
      expect(await exited(server)).toBe(0);
    } finally {
      server.kill('SIGKILL');
      await database.close();
    }
  });

  it('delivers queued email from inside serve, and stops cleanly', async () => {
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    const { file, dsn } = await configFile('serve', {
      serve: {
        public: { host: '127.0.0.1', port: publicPort, base_url: `http://127.0.0.1:${publicPort}/` },
        admin: { host: '127.0.0.1', port: adminPort, base_url: `http://127.0.0.1:${adminPort}/` },
      },
    });
    const { id, database } = await queueOne(dsn, 'served@example.com');
    const server = startCli(['serve', '-c', file, '--watch-courier']);
    try {
      smtp.messages.length = 0;
      await waitFor(async () =>
        smtp.messages.some((m) => m.messageId === `<${id}@example.com>`) ? true : undefined,
      );
      expect(smtp.messages.find((m) => m.messageId === `<${id}@example.com>`)?.text).toContain('777777');
      server.kill('SIGTERM');
      expect(await exited(server)).toBe(0);
    } finally {
      server.kill('SIGKILL');
      await database.close();
    }
  });
});
