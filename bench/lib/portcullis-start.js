/**
 * A whole Portcullis started in a bench child from a temporary config file, as
 * `portcullis serve -c <file>` would (migrations applied first): `log.level: warning`, default
 * hashers, brute-force protection at its defaults.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** @typedef {Awaited<ReturnType<typeof import('./server-modules.js').loadServerModules>>} ServerModules */
/** @typedef {Awaited<ReturnType<typeof import('../../src/app/server.js').startPortcullis>>} RunningPortcullis */

const PORT_ATTEMPTS = 5;

/**
 * Writes the config and starts the server. The ports are picked before listening (the config
 * schema refuses port 0), so on a busy machine another process can take one in between: then
 * it picks new ones.
 *
 * @param {ServerModules} modules
 * @param {string} dir
 * @param {string} dsn
 * @param {{ url: string, key_prefix: string } | undefined} redis
 */
export function startBenchPortcullis(modules, dir, dsn, redis) {
  return startFromConfigFile(modules, dir, () => configDocument(dsn, redis, modules.DEFAULT_SCHEMA_URL));
}

/**
 * Starts a Portcullis from the config `document()` builds (called again, with new ports, when a
 * port was taken meanwhile), written to `<dir>/config.json`, migrations applied first.
 *
 * @param {ServerModules} modules
 * @param {string} dir
 * @param {() => Promise<object>} document
 * @returns {Promise<RunningPortcullis>}
 */
export async function startFromConfigFile(modules, dir, document) {
  const { startPortcullis, loadConfig, DEFAULT_SCHEMA_URL, createLogger } = modules;
  const file = join(dir, 'config.json');
  for (let attempt = 1; ; attempt++) {
    await writeFile(file, JSON.stringify(await document()));
    // env: {} so that a DSN or SERVE_* variable in the caller's shell cannot change the setup.
    const config = await loadConfig({
      files: [file],
      env: {},
      dev: false,
      cwd: dir,
      defaults: { identitySchemaUrl: DEFAULT_SCHEMA_URL },
    });
    try {
      return await startPortcullis(config, createLogger(config.log), { migrate: true, cwd: dir });
    } catch (error) {
      const inUse = error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
      if (!inUse || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

/**
 * @param {string} dsn
 * @param {{ url: string, key_prefix: string } | undefined} redis  a prefix of its own, deleted afterwards
 * @param {string} schemaUrl
 */
async function configDocument(dsn, redis, schemaUrl) {
  const [publicPort, adminPort] = [await freePort(), await freePort()];
  const publicBase = `http://127.0.0.1:${publicPort}/`;
  return {
    dsn,
    serve: {
      public: { host: '127.0.0.1', port: publicPort, base_url: publicBase },
      admin: { host: '127.0.0.1', port: adminPort, base_url: `http://127.0.0.1:${adminPort}/` },
    },
    identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: schemaUrl }] },
    selfservice: { default_browser_return_url: publicBase },
    secrets: { default: [randomBytes(32).toString('hex')] },
    // Quiet as a production server would be; at `info` Fastify writes two lines per request.
    log: { level: 'warning' },
    ...(redis ? { cache: { redis } } : {}),
  };
}
