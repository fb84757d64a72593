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
import { runChild } from './lib/child-side.js';
import { prepareChildStorage } from './lib/child-storage.js';
import { startBenchPortcullis } from './lib/portcullis-start.js';
import { loadServerModules } from './lib/server-modules.js';

const modules = await loadServerModules();

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
    const running = await startBenchPortcullis(modules, dir, dsn, redis);
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
        const pool = modules.sharedHashPool();
        return { active: pool.active, waiting: pool.waiting, limit: pool.limit };
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Creates the identity over the admin API and issues its session in process.
 *
 * @param {import('./lib/portcullis-start.js').RunningPortcullis} running
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
