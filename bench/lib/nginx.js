/**
 * Debian's nginx as the reference reverse proxy of the `proxy` scenario: started as a non-root
 * user would (prefix, config, pid file, logs and temp paths all in a temporary directory, as
 * test/proxy.acceptance.test.ts does), proxying every request to the bench's upstream.
 *
 * Tuned as one would run it in production, not handicapped: one worker process (Portcullis is one
 * process), keep-alive connections to the upstream (`keepalive`, HTTP/1.1, no `Connection`
 * header), no access log (Portcullis logs nothing per request at `warning`), and the same
 * `X-Forwarded-*` headers Portcullis sets. `keepalive_requests` is raised on both sides from
 * nginx's default 1000: Node never closes a keep-alive connection after N requests, so both
 * proxies keep their connections for the whole run and only the proxying is compared.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { sleep } from './load.js';
import { childPids, pidsCpuWindow } from './process-cpu.js';

export const NGINX = '/usr/sbin/nginx';

const PORT_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
/** Upstream connections each worker keeps open: above the bench's connections. */
const UPSTREAM_KEEPALIVE = 256;

/** Running masters, with the directory each one runs in. */
const live = /** @type {Map<import('node:child_process').ChildProcess, string>} */ (new Map());

// Whatever ends the bench, no nginx outlives it (SIGTERM makes the master stop its workers) and
// no directory is left behind. Only sync work runs here.
process.on('exit', () => {
  for (const [master, dir] of live) {
    master.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * @typedef {object} RunningNginx
 * @property {string} url          `http://127.0.0.1:<port>`
 * @property {string} version
 * @property {number} workers
 * @property {import('./process-cpu.js').CpuWindow} cpu  the master and its workers
 * @property {() => Promise<void>} stop
 */

/**
 * @param {{ upstreamUrl: string, workers: number }} options
 * @returns {Promise<RunningNginx | undefined>} undefined when nginx is not installed
 */
export async function startNginx({ upstreamUrl, workers }) {
  if (!existsSync(NGINX)) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-nginx-'));
  // Run as root, nginx's workers run as `nobody`: they must be able to enter the directory.
  await chmod(dir, 0o755);
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const conf = join(dir, 'nginx.conf');
      await writeFile(conf, config({ dir, port, upstream: new URL(upstreamUrl).host, workers }));
      const master = spawn(NGINX, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { stdio: 'ignore' });
      live.set(master, dir);
      master.once('exit', () => live.delete(master));
      const ready = await waitUntilServing(master, port, workers);
      if (ready) {
        return {
          url: `http://127.0.0.1:${port}`,
          version: await version(),
          workers,
          cpu: pidsCpuWindow(() => (master.pid === undefined ? [] : [master.pid, ...childPids(master.pid)])),
          stop: async () => {
            await stopMaster(master);
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      await stopMaster(master);
      const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
      // Another process took the port between freePort() and nginx's bind: try another.
      if (!log.includes('Address already in use') || attempt >= PORT_ATTEMPTS) {
        throw new Error(`nginx did not start: ${log.trim() || 'no error log'}`);
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * @param {{ dir: string, port: number, upstream: string, workers: number }} setup
 */
function config({ dir, port, upstream, workers }) {
  return `daemon off;
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  upstream bench_upstream {
    server ${upstream};
    keepalive ${UPSTREAM_KEEPALIVE};
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
    }
  }
}
`;
}

/**
 * Until the port answers and every worker is forked (the master binds before it forks).
 *
 * @param {import('node:child_process').ChildProcess} master
 * @param {number} port
 * @param {number} workers
 * @returns {Promise<boolean>} false when nginx exited first
 */
async function waitUntilServing(master, port, workers) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (master.exitCode !== null || master.signalCode !== null) return false;
    const forked = master.pid === undefined ? 0 : childPids(master.pid).length;
    if (forked >= workers && (await portOpen(port))) return true;
    await sleep(50);
  }
  return false;
}

/** @param {number} port */
function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** @param {import('node:child_process').ChildProcess} master */
function stopMaster(master) {
  if (master.exitCode !== null || master.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => master.kill('SIGKILL'), STOP_TIMEOUT_MS);
    master.once('exit', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    // Fast shutdown: the load has ended, there is nothing to drain.
    master.kill('SIGTERM');
  });
}

/** `nginx -v` writes `nginx version: nginx/1.22.1` to stderr. */
function version() {
  return new Promise((resolve) => {
    const child = spawn(NGINX, ['-v'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.on('data', (chunk) => {
      text += String(chunk);
    });
    child.once('error', () => resolve('nginx'));
    child.once('close', () => resolve(text.replace(/^nginx version:\s*/, '').trim() || 'nginx'));
  });
}
