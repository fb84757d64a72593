import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import type { Registry } from '../../src/app/registry.js';
import { startPortcullis } from '../../src/app/server.js';
import { loadConfig } from '../../src/config/index.js';
import { DEFAULT_SCHEMA_URL } from '../../src/identity/schema/index.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { encodeSessionCookie } from '../../src/session/cookie.js';
import { freePort } from './ports.js';

export const EXAM_SCHEMA_URL = pathToFileURL(
  join(import.meta.dirname, '..', 'fixtures', 'exam.schema.json'),
).toString();

export interface TestServer {
  publicUrl: string;
  adminUrl: string;
  /** The running composition root, for tests that set up state the HTTP API cannot yet. */
  registry: Registry;
  /** A `Cookie` header carrying the session token as the server signs it. */
  sessionCookie(token: string): string;
  close(): Promise<void>;
}

/**
 * Starts a whole Portcullis the way `portcullis serve -c <file>` does, from a config file
 * written for the test, with migrations applied first as `portcullis migrate sql` would.
 */
export async function startTestServer(options: {
  dsn: string;
  /** Use the real Redis at REDIS_URL as the session cache, when it is set. */
  redis?: boolean;
  extraConfig?: Record<string, unknown>;
}): Promise<TestServer> {
  const [publicPort, adminPort] = [await freePort(), await freePort()];
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-test-'));
  const file = join(dir, 'config.yml');
  const document = {
    dsn: options.dsn,
    serve: {
      public: { host: '127.0.0.1', port: publicPort, base_url: `http://127.0.0.1:${publicPort}/` },
      admin: { host: '127.0.0.1', port: adminPort, base_url: `http://127.0.0.1:${adminPort}/` },
    },
    identity: {
      default_schema_id: 'exam',
      schemas: [
        { id: 'exam', url: EXAM_SCHEMA_URL },
        { id: 'default', url: DEFAULT_SCHEMA_URL },
      ],
    },
    selfservice: { default_browser_return_url: `http://127.0.0.1:${publicPort}/` },
    secrets: { default: ['a-test-secret-that-is-long-enough'] },
    // Cheap argon2 parameters: tests exercise behaviour, not hash strength.
    hashers: { algorithm: 'argon2', argon2: { memory: '1MB', iterations: 1, parallelism: 1 } },
    log: { level: 'error' },
    ...(options.redis && process.env.REDIS_URL ? { cache: { redis: { url: process.env.REDIS_URL } } } : {}),
    ...options.extraConfig,
  };
  await writeFile(file, stringify(document));
  const config = await loadConfig({
    files: [file],
    env: {},
    dev: false,
    cwd: dir,
    defaults: { identitySchemaUrl: DEFAULT_SCHEMA_URL },
  });
  const running = await startPortcullis(config, silentLogger(), { migrate: true });
  return {
    publicUrl: running.publicUrl,
    adminUrl: running.adminUrl,
    registry: running.registry,
    sessionCookie: (token) =>
      `${running.registry.sessionConfig.cookie.name}=${encodeSessionCookie(token, config.secrets.cookie)}`,
    async close() {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
