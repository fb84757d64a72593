/**
 * A public listener with the built-in UI, assembled as `portcullis serve` does it (registry,
 * flows, public app) from a config file written for the test, loaded with --dev by default
 * (the dev inbox) and without the admin listener.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import { createRegistry, type Registry } from '../../src/app/registry.js';
import { buildSelfService } from '../../src/app/selfservice.js';
import { buildPublicApp } from '../../src/app/server.js';
import { loadConfig } from '../../src/config/index.js';
import { DEFAULT_SCHEMA_URL } from '../../src/identity/schema/index.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { withFreePorts } from './ports.js';
import { EXAM_SCHEMA_URL } from './server.js';

export interface UiTestServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  origin: string;
  registry: Registry;
  close(): Promise<void>;
}

export async function startUiTestServer(options: {
  dsn: string;
  /** Load the config as `serve --dev` does (the dev inbox); true unless set. */
  dev?: boolean;
  /** Keys merged over the test's config (deeply for `selfservice` and `ui`). */
  extraConfig?: Record<string, unknown>;
  /** Runs on the built public app before it listens (a test's own hook, say). */
  beforeListen?: (app: FastifyInstance) => void;
}): Promise<UiTestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-ui-test-'));
  const file = join(dir, 'config.yml');
  const start = async ([publicPort, adminPort]: number[]) => {
    const origin = `http://127.0.0.1:${publicPort}`;
    await writeFile(
      file,
      stringify({
        dsn: options.dsn,
        serve: {
          public: { host: '127.0.0.1', port: publicPort, base_url: `${origin}/` },
          admin: { host: '127.0.0.1', port: adminPort, base_url: `http://127.0.0.1:${adminPort}/` },
        },
        identity: {
          default_schema_id: 'exam',
          schemas: [
            { id: 'exam', url: EXAM_SCHEMA_URL },
            { id: 'default', url: DEFAULT_SCHEMA_URL },
          ],
        },
        secrets: { default: ['a-test-secret-that-is-long-enough'] },
        hashers: { algorithm: 'argon2', argon2: { memory: '1MB', iterations: 1, parallelism: 1 } },
        log: { level: 'error' },
        ...options.extraConfig,
      }),
    );
    const config = await loadConfig({
      files: [file],
      env: {},
      dev: options.dev ?? true,
      cwd: dir,
      defaults: { identitySchemaUrl: DEFAULT_SCHEMA_URL },
    });
    const registry = await createRegistry(config, silentLogger(), { migrate: true });
    const selfService = buildSelfService(registry);
    const app = await buildPublicApp(registry, selfService);
    options.beforeListen?.(app);
    try {
      await app.listen({ host: '127.0.0.1', port: publicPort });
    } catch (error) {
      await app.close();
      await selfService.close();
      await registry.close();
      throw error;
    }
    return { origin, registry, app, selfService };
  };
  // A port taken between choosing it and listening on it: what was opened is closed; again.
  const { origin, registry, app, selfService } = await withFreePorts(2, start);
  return {
    origin,
    registry,
    async close() {
      await app.close();
      await selfService.close();
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
