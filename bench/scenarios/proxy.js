/**
 * `proxy`: the reverse proxy (Oathkeeper's port 4455) against Debian's nginx proxying the same
 * upstream with the same number of worker processes (one: Portcullis is one process), and
 * against the upstream hit directly. Target: Portcullis (anonymous → allow → noop) req/s >= 0.5 x
 * nginx's. A second Portcullis figure runs the common authenticated rule (cookie_session in
 * process → allow → header), for information: nginx checks nothing.
 *
 * The upstream is a bare node:http server answering a constant body, in its own process, started
 * once and put behind each proxy in turn. One thing runs at a time: nginx is stopped before
 * Portcullis starts. Without nginx installed, that comparison is skipped and said so.
 */
import { request } from 'node:http';
import { APP_HOST, accessRule, IDENTITY_HEADERS } from '../lib/access-rules.js';
import { startAccessProxyServer, startUpstreamServer } from '../lib/access-servers.js';
import { browserSession } from '../lib/browser-session.js';
import { printChainLoads } from '../lib/chain-report.js';
import { cpuPerRequestUs } from '../lib/cpu-per-request.js';
import { isClean, warmUp } from '../lib/load.js';
import { measureChain } from '../lib/measure-processes.js';
import { NGINX, startNginx } from '../lib/nginx.js';
import { printChecks, printHeading, ratio } from '../lib/report.js';

const NGINX_RATIO_TARGET = 0.5;
const WARM_UP_SEC = 2;
/** A small API answer: one write each way, as most proxied JSON answers are. */
const BODY_BYTES = 1024;
const WORKERS = 1;

/** @typedef {import('../lib/measure-processes.js').ChainRow} ChainRow */

/** @param {import('../lib/options.js').BenchOptions} options */
export async function runProxy(options) {
  const upstream = await startUpstreamServer(BODY_BYTES);
  try {
    // nginx and the anonymous rule get the very same request; the session rule's adds the cookie.
    /** @type {Record<string, string>} */
    const headers = { host: APP_HOST };
    const chain = { upstream };

    const directLoad = proxyLoad(upstream.info.url, '/anon/dashboard', headers, options);
    await warmUp(directLoad, WARM_UP_SEC);
    const direct = await measureChain('upstream direct (node:http)', directLoad, chain);

    const nginx = await startNginx({ upstreamUrl: upstream.info.url, workers: WORKERS });
    /** @type {ChainRow | undefined} */
    let viaNginx;
    if (nginx !== undefined) {
      try {
        const load = proxyLoad(nginx.url, '/anon/dashboard', headers, options);
        await expectOk(nginx.url, '/anon/dashboard', headers, upstream.info.bytes);
        await warmUp(load, WARM_UP_SEC);
        viaNginx = await measureChain(`${nginx.version}, ${WORKERS} worker`, load, {
          proxy: nginx.cpu,
          ...chain,
        });
      } finally {
        await nginx.stop();
      }
    }

    const portcullis = await startAccessProxyServer({
      roles: ['proxy'],
      rules: [
        accessRule({
          id: 'bench-proxy-anonymous',
          prefix: '/anon/',
          authenticator: 'anonymous',
          mutators: [{ handler: 'noop' }],
          upstreamUrl: upstream.info.url,
        }),
        accessRule({
          id: 'bench-proxy-session',
          prefix: '/session/',
          authenticator: 'cookie_session',
          mutators: [{ handler: 'header', config: { headers: IDENTITY_HEADERS } }],
          upstreamUrl: upstream.info.url,
        }),
      ],
    });
    /** @type {ChainRow} */
    let anonymous;
    /** @type {ChainRow} */
    let session;
    let store = '';
    try {
      const { info } = portcullis;
      if (info.proxyUrl === undefined) throw new Error('the reverse proxy did not start');
      store = `store: ${info.store}; cache: ${info.cache}`;
      const withSession = { ...headers, cookie: await browserSession(info.publicUrl, info.adminUrl) };
      const through = { proxy: portcullis, ...chain };

      await expectOk(info.proxyUrl, '/anon/dashboard', headers, upstream.info.bytes);
      const anonymousLoad = proxyLoad(info.proxyUrl, '/anon/dashboard', headers, options);
      await warmUp(anonymousLoad, WARM_UP_SEC);
      anonymous = await measureChain('Portcullis, anonymous → allow → noop', anonymousLoad, through);

      await expectOk(info.proxyUrl, '/session/dashboard', withSession, upstream.info.bytes);
      const sessionLoad = proxyLoad(info.proxyUrl, '/session/dashboard', withSession, options);
      await warmUp(sessionLoad, WARM_UP_SEC);
      session = await measureChain('Portcullis, cookie_session → allow → header', sessionLoad, through);
    } finally {
      await portcullis.stop();
    }

    printHeading('proxy', [
      `upstream: bare node:http in its own process, ${upstream.info.bytes}-byte constant body; ${store}`,
      `GET /anon/dashboard with Host ${APP_HOST} (direct, nginx, anonymous rule); GET /session/dashboard adds a browser session cookie`,
      `nginx: ${WORKERS} worker, upstream keepalive, HTTP/1.1, access_log off, X-Forwarded-For/Proto/Host set`,
      `${options.connections} connections, ${options.durationSec} s each after ${WARM_UP_SEC} s warm-up; proxy, upstream and autocannon share the cores`,
      ...(nginx === undefined ? [`${NGINX} is not installed: the nginx comparison is skipped`] : []),
    ]);
    printChainLoads([direct, ...(viaNginx ? [viaNginx] : []), anonymous, session]);
    printChecks(proxyChecks({ direct, nginx: viaNginx, anonymous, session }));
  } finally {
    await upstream.stop();
  }
}

/**
 * The target is held against like for like: nginx checks nothing, nor does the anonymous rule.
 * The rest is information.
 *
 * @param {{ direct: ChainRow, nginx: ChainRow | undefined, anonymous: ChainRow, session: ChainRow }} rows
 * @returns {import('../lib/report.js').Check[]}
 */
function proxyChecks({ direct, nginx, anonymous, session }) {
  /**
   * @param {string} label
   * @param {ChainRow} row
   * @param {ChainRow} reference
   * @returns {import('../lib/report.js').Check}
   */
  const info = (label, row, reference) => ({
    label,
    measured: ratio(relative(row, reference)),
    target: '(info)',
    pass: undefined,
  });
  const versusNginx =
    nginx === undefined
      ? [{ label: 'Portcullis ÷ nginx req/s', measured: 'skipped', target: 'nginx missing', pass: undefined }]
      : [
          {
            label: 'Portcullis (anonymous → noop) ÷ nginx req/s',
            measured: ratio(relative(anonymous, nginx)),
            target: `>= ${NGINX_RATIO_TARGET}`,
            pass:
              relative(anonymous, nginx) >= NGINX_RATIO_TARGET &&
              isClean(nginx.load) &&
              isClean(anonymous.load),
          },
          info('Portcullis (cookie_session → header) ÷ nginx req/s', session, nginx),
          info('nginx ÷ upstream direct req/s', nginx, direct),
        ];
  const perRequest = [...(nginx ? [nginx] : []), anonymous, session].map((row) =>
    cpuPerRequestUs({ load: row.load, server: row.processes.proxy }),
  );
  return [
    ...versusNginx,
    info('Portcullis (anonymous → noop) ÷ upstream direct req/s', anonymous, direct),
    info('Portcullis (cookie_session → header) ÷ upstream direct req/s', session, direct),
    {
      label: `proxy CPU per request: ${nginx ? 'nginx / ' : ''}anonymous / cookie_session`,
      measured: `${perRequest.join(' / ')} µs`,
      target: '(info)',
      pass: undefined,
    },
  ];
}

/**
 * @param {ChainRow} row
 * @param {ChainRow} reference
 */
function relative(row, reference) {
  return reference.load.rps > 0 ? row.load.rps / reference.load.rps : 0;
}

/**
 * @param {string} baseUrl
 * @param {string} path
 * @param {Record<string, string>} headers
 * @param {import('../lib/options.js').BenchOptions} options
 * @returns {import('autocannon').Options}
 */
function proxyLoad(baseUrl, path, headers, options) {
  return {
    url: `${baseUrl}${path}`,
    connections: options.connections,
    duration: options.durationSec,
    headers: { ...headers },
  };
}

/**
 * One request before the load: a proxy that answers anything but the upstream's 200 and body
 * (no rule matched, a refused session) would make every loaded request fail.
 *
 * @param {string} baseUrl
 * @param {string} path
 * @param {Record<string, string>} headers
 * @param {number} bytes
 */
async function expectOk(baseUrl, path, headers, bytes) {
  // node:http rather than fetch: fetch does not let a caller set Host.
  const answer = await new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { headers }, (res) => {
      let length = 0;
      res.on('data', (chunk) => {
        length += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, length }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  const { status, length } = /** @type {{ status: number, length: number }} */ (answer);
  if (status !== 200 || length !== bytes) {
    throw new Error(`GET ${path} through ${baseUrl} answered ${status} with ${length} bytes`);
  }
}
