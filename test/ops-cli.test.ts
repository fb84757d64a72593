/**
 * The command lines operators and the official Helm charts run: `serve all` (the Kratos chart's
 * Deployment) starts every role the config enables; other words after `serve` are usage errors
 * (exit 2) naming what to run instead; `version` prints the version as `kratos version`.
 *
 * The CLI runs in this process (`main`, with process.exit and the output streams captured), so
 * these tests need no build; `serve` runs the real config loading and start-up.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import type { RunningRoles } from '../src/app/server.js';
import { main } from '../src/cli/main.js';
import { loadServe, type ServeRequest } from '../src/cli/serve.js';
import { silentLogger } from '../src/kernel/logger.js';
import { VERSION } from '../src/kernel/version.js';
import { freePort } from './support/ports.js';
import { EXAM_SCHEMA_URL } from './support/server.js';

class Exited extends Error {
  constructor(readonly code: number | undefined) {
    super(`process.exit(${String(code)})`);
  }
}

interface Outcome {
  /** undefined: main returned without calling process.exit. */
  code: number | undefined;
  stdout: string;
  stderr: string;
  requests: ServeRequest[];
}

let running: RunningRoles[] = [];

/**
 * Runs `portcullis <args>` in this process. A `serve` loads its config and starts its roles as
 * the real command does (loadServe), and stays up until the test closes it.
 */
async function portcullis(...args: string[]): Promise<Outcome> {
  const outcome: Outcome = { code: undefined, stdout: '', stderr: '', requests: [] };
  vi.spyOn(process, 'exit').mockImplementation((code?: string | number | null) => {
    throw new Exited(code === undefined || code === null ? undefined : Number(code));
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    outcome.stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    outcome.stderr += String(chunk);
    return true;
  });
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    outcome.stderr += `${parts.join(' ')}\n`;
  });
  try {
    await main(['node', 'portcullis', ...args], {
      serve: async (request) => {
        outcome.requests.push(request);
        const loaded = await loadServe(request);
        running.push(await loaded.start(silentLogger()));
      },
    });
  } catch (error) {
    if (!(error instanceof Exited)) throw error;
    outcome.code = error.code;
  } finally {
    vi.restoreAllMocks();
  }
  return outcome;
}

let dir: string;
let config: string;
const ports = { public: 0, admin: 0 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-ops-cli-'));
  ports.public = await freePort();
  ports.admin = await freePort();
  config = join(dir, 'kratos.yml');
  await writeFile(
    config,
    stringify({
      dsn: 'memory',
      serve: {
        public: { host: '127.0.0.1', port: ports.public, base_url: `http://127.0.0.1:${ports.public}/` },
        admin: { host: '127.0.0.1', port: ports.admin, base_url: `http://127.0.0.1:${ports.admin}/` },
      },
      identity: { default_schema_id: 'exam', schemas: [{ id: 'exam', url: EXAM_SCHEMA_URL }] },
      selfservice: { default_browser_return_url: `http://127.0.0.1:${ports.public}/` },
      secrets: { default: ['a-test-secret-that-is-long-enough'] },
      log: { level: 'error' },
    }),
  );
});
afterEach(async () => {
  await Promise.allSettled(running.map((roles) => roles.close()));
  running = [];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('portcullis serve all, as the Kratos Helm chart runs it', () => {
  it('starts every role the config enables and answers the chart probes', async () => {
    // deployment-kratos.yaml: args [serve, all, --config, /etc/config/kratos.yaml]
    const outcome = await portcullis('serve', 'all', '--config', config);
    expect(outcome.code).toBeUndefined();
    expect(outcome.stderr).toBe('');
    expect(outcome.requests).toEqual([
      { files: [config], dev: undefined, watchCourier: undefined, roles: undefined },
    ]);
    expect([...(running[0]?.roles ?? [])].sort()).toEqual(['admin', 'public']);
    const alive = await fetch(`http://127.0.0.1:${ports.public}/health/alive`);
    expect(alive.status).toBe(200);
    expect(await alive.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`http://127.0.0.1:${ports.admin}/admin/health/ready`, {
      headers: { host: '127.0.0.1' },
    });
    expect(ready.status).toBe(200);
  });

  it('takes --roles and the flags beside `all`, in any order', async () => {
    const outcome = await portcullis('serve', '--dev', 'all', '-c', config, '--roles', 'admin');
    expect(outcome.code).toBeUndefined();
    expect(outcome.requests[0]?.dev).toBe(true);
    expect([...(outcome.requests[0]?.roles ?? [])]).toEqual(['admin']);
    expect((await fetch(`http://127.0.0.1:${ports.admin}/health/alive`)).status).toBe(200);
  });

  it('refuses any other word with exit 2, and says to use --roles for a role name', async () => {
    const bogus = await portcullis('serve', 'bogus', '-c', config);
    expect(bogus.code).toBe(2);
    expect(bogus.requests).toEqual([]);
    expect(bogus.stderr).toContain("error: command-argument value 'bogus' is invalid for argument 'all'");
    expect(bogus.stderr).toContain('the only word serve takes is "all"');

    const role = await portcullis('serve', 'public', '-c', config);
    expect(role.code).toBe(2);
    expect(role.requests).toEqual([]);
    expect(role.stderr).toContain('run `serve --roles public`');

    const twoWords = await portcullis('serve', 'all', 'all', '-c', config);
    expect(twoWords.code).toBe(2);
    expect(twoWords.stderr).toContain("too many arguments for 'serve'");
  });

  it('documents `all` in serve --help', async () => {
    const help = await portcullis('serve', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: portcullis serve [options] [all]');
    expect(help.stdout).toContain('kratos serve all');
  });
});

describe('portcullis version, as kratos version', () => {
  it('prints the version and exits 0', async () => {
    const outcome = await portcullis('version');
    expect(outcome.code).toBeUndefined();
    expect(outcome.stdout).toBe(`Version:\t\t\t${VERSION}\n`);
    expect(outcome.stderr).toBe('');
  });

  it('is listed in --help, and refuses arguments and -c like other commands without them', async () => {
    const help = await portcullis('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^\s+version\s+Show the version$/m);
    expect((await portcullis('version', 'extra')).code).toBe(2);
    const withConfig = await portcullis('version', '-c', config);
    expect(withConfig.code).toBe(2);
    expect(withConfig.stderr).toContain('`version` reads no config file');
  });
});
