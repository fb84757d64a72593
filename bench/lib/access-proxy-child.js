/**
 * Child process: a whole Portcullis with its access proxy, started in process from a temporary
 * config file as `portcullis serve -c <file>` would (migrations applied first), with the roles
 * and access rules the scenario passes as JSON in argv[2] (see AccessProxySpec).
 *
 * The handlers every scenario may use are enabled globally, configured as a Kratos deployment
 * configures Oathkeeper: `cookie_session` whose `check_session_url` is this very process's
 * `/sessions/whoami` (so it runs in process, with no HTTP hop), `subject_from: identity.id`,
 * `extra_from: "@this"`; `anonymous`; `allow`; the `noop` and `header` mutators; errors keep
 * Oathkeeper's defaults (the `json` handler as the fallback). Further mutators (an `id_token` key set) come from the spec.
 *
 * Store: `dsn: memory`, or a fresh database beside DATABASE_URL when it is set. Cache:
 * in-process LRU, in front of Redis when REDIS_URL is set (own key prefix, deleted afterwards).
 *
 * Usage (from the bench only): node bench/lib/access-proxy-child.js '<spec json>'
 */
import { randomBytes } from 'node:crypto';
import { runChild } from './child-side.js';
import { prepareChildStorage } from './child-storage.js';
import { freePort } from './free-port.js';
import { startFromConfigFile } from './portcullis-start.js';
import { loadServerModules } from './server-modules.js';

const modules = await loadServerModules();

/**
 * @typedef {object} AccessProxySpec
 * @property {Array<'proxy' | 'api'>} roles  which access-proxy listeners to open (the other stays off)
 * @property {unknown[]} rules               Oathkeeper access rules, served from an inline repository
 * @property {Record<string, unknown>} [mutators]  global mutator sections merged over the defaults
 */

/**
 * @typedef {object} AccessProxyInfo
 * @property {string} publicUrl
 * @property {string} adminUrl
 * @property {string | undefined} proxyUrl  `http://127.0.0.1:<port>` of the reverse proxy
 * @property {string | undefined} apiUrl    `http://127.0.0.1:<port>` of the decision API
 * @property {string} store
 * @property {string} cache
 */

/** A teardown step list, run last-in first-out, also when start-up fails half way. */
const cleanups = /** @type {Array<() => Promise<unknown>>} */ ([]);

async function cleanup() {
  for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
}

/** @returns {Promise<import('./child-side.js').Started<AccessProxyInfo>>} */
async function start() {
  try {
    const text = process.argv[2];
    if (text === undefined) throw new Error('pass the access proxy spec as JSON in the first argument');
    const spec = /** @type {AccessProxySpec} */ (JSON.parse(text));
    const storage = await prepareChildStorage(cleanups, 'portcullis-bench-proxy-');
    const { dsn, redis, dir } = storage;
    const running = await listen(dir, { dsn, redis, spec });
    cleanups.push(() => running.close());
    const proxy = running.accessProxy;
    if (proxy === undefined) throw new Error('the access proxy did not start');
    return {
      info: {
        publicUrl: running.publicUrl,
        adminUrl: running.adminUrl,
        proxyUrl: proxy.proxyUrl,
        apiUrl: proxy.apiUrl,
        store: storage.store,
        cache: storage.cache,
      },
      close: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Writes the config and starts the server; new ports when one was taken in between (the config
 * schema refuses port 0, so they are picked before listening).
 *
 * @param {string} dir
 * @param {{ dsn: string, redis: { url: string, key_prefix: string } | undefined, spec: AccessProxySpec }} setup
 */
function listen(dir, setup) {
  return startFromConfigFile(modules, dir, () => configDocument(setup));
}

/**
 * @param {{ dsn: string, redis: { url: string, key_prefix: string } | undefined, spec: AccessProxySpec }} setup
 */
async function configDocument({ dsn, redis, spec }) {
  const [publicPort, adminPort] = [await freePort(), await freePort()];
  const publicBase = `http://127.0.0.1:${publicPort}/`;
  /** @type {Record<string, unknown>} */
  const accessListeners = {};
  for (const role of spec.roles) accessListeners[role] = { host: '127.0.0.1', port: await freePort() };
  return {
    dsn,
    serve: {
      public: { host: '127.0.0.1', port: publicPort, base_url: publicBase },
      admin: { host: '127.0.0.1', port: adminPort, base_url: `http://127.0.0.1:${adminPort}/` },
      ...accessListeners,
    },
    identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: modules.DEFAULT_SCHEMA_URL }] },
    selfservice: { default_browser_return_url: publicBase },
    secrets: { default: [randomBytes(32).toString('hex')] },
    // Quiet as a production server would be: nothing is logged per request.
    log: { level: 'warning' },
    ...(redis ? { cache: { redis } } : {}),
    access_rules: {
      repositories: [`inline://${Buffer.from(JSON.stringify(spec.rules)).toString('base64')}`],
    },
    authenticators: {
      cookie_session: {
        enabled: true,
        config: {
          // This process's own whoami: the check runs in process (docs/proxy.md, "In-process whoami").
          check_session_url: `${publicBase}sessions/whoami`,
          preserve_path: true,
          subject_from: 'identity.id',
          extra_from: '@this',
        },
      },
      anonymous: { enabled: true },
    },
    authorizers: { allow: { enabled: true } },
    mutators: {
      noop: { enabled: true },
      header: { enabled: true, config: { headers: {} } },
      ...spec.mutators,
    },
  };
}

await runChild(start);
