/**
 * Child process: a whole Portcullis started in process from a temporary config file (as
 * `portcullis serve -c <file>` would, migrations applied first), with one identity created
 * through the admin API and one session issued in process (so the whoami load does not depend
 * on the login path it may be measured against). Reports the token and the warm whoami body to
 * the parent, and lets the probe watch the server's hash pool.
 *
 * Store: `dsn: memory`, or a fresh database beside DATABASE_URL when it is set.
 * Cache: in-process LRU, in front of Redis when REDIS_URL is set (under a key prefix of its own,
 * deleted afterwards).
 * Hashing: no `hashers` key, so the server uses its defaults (argon2id at OWASP parameters).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChild } from './lib/child-side.js';
import { prepareChildStorage } from './lib/child-storage.js';
import { freePort } from './lib/free-port.js';
import { loadServerModules } from './lib/server-modules.js';

const { startPortcullis, loadConfig, sharedHashPool, DEFAULT_SCHEMA_URL, createLogger } =
  await loadServerModules();

/**
 * @typedef {object} PortcullisInfo
 * @property {string} publicUrl
 * @property {string} adminUrl
 * @property {string} token        session token for X-Session-Token
 * @property {unknown} whoamiBody  the whoami JSON the warm-up request returned
 * @property {number} whoamiBytes
 * @property {string} store
 * @property {string} cache
 */

const PORT_ATTEMPTS = 5;

/** A teardown step list, run last-in first-out, also when start-up fails half way. */
const cleanups = /** @type {Array<() => Promise<unknown>>} */ ([]);

async function cleanup() {
  for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
}

/** @returns {Promise<import('./lib/child-side.js').Started<PortcullisInfo>>} */
async function start() {
  try {
    const storage = await prepareChildStorage(cleanups, 'portcullis-bench-');
    const { dsn, redis, dir } = storage;
    const running = await listen(dir, dsn, redis);
    cleanups.push(() => running.close());

    const token = await signIn(running);
    const warm = await fetch(`${running.publicUrl}/sessions/whoami`, {
      headers: { 'x-session-token': token },
    });
    const text = await warm.text();
    if (warm.status !== 200) throw new Error(`warm-up whoami answered ${warm.status}: ${text}`);
    return {
      info: {
        publicUrl: running.publicUrl,
        adminUrl: running.adminUrl,
        token,
        whoamiBody: JSON.parse(text),
        whoamiBytes: Buffer.byteLength(text),
        store: storage.store,
        cache: storage.cache,
      },
      close: cleanup,
      // The very pool the server's argon2 runs on (same module instance): how full it is.
      gauge: () => {
        const pool = sharedHashPool();
        return { active: pool.active, waiting: pool.waiting, limit: pool.limit };
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Writes the config and starts the server. The ports are picked before listening (the config
 * schema refuses port 0), so on a busy machine another process can take one in between: then
 * it picks new ones.
 *
 * @param {string} dir
 * @param {string} dsn
 * @param {{ url: string, key_prefix: string } | undefined} redis
 */
async function listen(dir, dsn, redis) {
  const file = join(dir, 'config.json');
  for (let attempt = 1; ; attempt++) {
    await writeFile(file, JSON.stringify(await configDocument(dsn, redis)));
    // env: {} so that a DSN or SERVE_* variable in the caller's shell cannot change the setup.
    const config = await loadConfig({
      files: [file],
      env: {},
      dev: false,
      cwd: dir,
      defaults: { identitySchemaUrl: DEFAULT_SCHEMA_URL },
    });
    try {
      return await startPortcullis(config, createLogger(config.log), { migrate: true });
    } catch (error) {
      const inUse = error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
      if (!inUse || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

/**
 * @param {string} dsn
 * @param {{ url: string, key_prefix: string } | undefined} redis  a prefix of its own, deleted afterwards
 */
async function configDocument(dsn, redis) {
  const [publicPort, adminPort] = [await freePort(), await freePort()];
  const publicBase = `http://127.0.0.1:${publicPort}/`;
  return {
    dsn,
    serve: {
      public: { host: '127.0.0.1', port: publicPort, base_url: publicBase },
      admin: { host: '127.0.0.1', port: adminPort, base_url: `http://127.0.0.1:${adminPort}/` },
    },
    identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: DEFAULT_SCHEMA_URL }] },
    selfservice: { default_browser_return_url: publicBase },
    secrets: { default: [randomBytes(32).toString('hex')] },
    // Quiet as a production server would be; at `info` Fastify writes two lines per request.
    log: { level: 'warning' },
    ...(redis ? { cache: { redis } } : {}),
  };
}

/**
 * Creates the identity over the admin API and issues its session in process.
 *
 * @param {Awaited<ReturnType<typeof startPortcullis>>} running
 * @returns {Promise<string>}
 */
async function signIn(running) {
  const created = await fetch(`${running.adminUrl}/admin/identities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      schema_id: 'default',
      traits: { email: 'whoami@bench.example', name: { first: 'Ada', last: 'Lovelace' } },
    }),
  });
  const body = /** @type {{ id: string }} */ (await created.json());
  if (created.status !== 201) throw new Error(`creating the identity answered ${created.status}`);
  const identity = await running.registry.identityStore.get(body.id);
  if (!identity) throw new Error('the created identity is not in the store');
  const issued = await running.registry.sessions.issue(identity, {
    methods: [{ method: 'password', aal: 'aal1', completed_at: new Date() }],
    aal: 'aal1',
    device: { ipAddress: '127.0.0.1', userAgent: 'portcullis-bench' },
  });
  return issued.token;
}

await runChild(start);
