/**
 * The Oathkeeper Helm chart's default config (serve.proxy 4455, serve.api 4456, serve.prometheus
 * 9000) loads, and the proxy roles serve their metrics on serve.prometheus: at the chart
 * ServiceMonitor's /metrics/prometheus and at Oathkeeper's default metrics_path, /metrics.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type RunningRoles, startAccessRoles } from '../src/app/server.js';
import { loadAccessConfig } from '../src/config/index.js';
import { silentLogger } from '../src/kernel/logger.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { freePort } from './support/ports.js';

let dir: string;
let running: RunningRoles | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-ops-proxy-metrics-'));
});
afterEach(async () => {
  await running?.close();
  running = undefined;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The chart's config shape (what the review ran), on free ports; `rules` inline when given. */
async function oathkeeperConfig(
  prometheus: Record<string, unknown> | undefined,
  rules: readonly Record<string, unknown>[] = [],
): Promise<string> {
  const file = join(dir, `oathkeeper-${Math.random().toString(36).slice(2)}.yml`);
  const inline = `inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`;
  await writeFile(
    file,
    stringify({
      serve: {
        proxy: { host: '127.0.0.1', port: await freePort() },
        api: { host: '127.0.0.1', port: await freePort() },
        ...(prometheus === undefined ? {} : { prometheus }),
      },
      access_rules: { repositories: rules.length === 0 ? [] : [inline] },
      authenticators: { noop: { enabled: true } },
      authorizers: { allow: { enabled: true } },
      mutators: { noop: { enabled: true } },
      log: { level: 'error' },
    }),
  );
  return file;
}

const ROLES = new Set(['proxy', 'api'] as const);

describe('serve.prometheus for the access-proxy roles', () => {
  it("loads, and serves Oathkeeper's metrics families and the process metrics on every path", async () => {
    const port = await freePort();
    const file = await oathkeeperConfig({ host: '127.0.0.1', port });
    const config = await loadAccessConfig({ files: [file], env: {}, dev: false, cwd: dir });
    running = await startAccessRoles(config, silentLogger(), ROLES, { cwd: dir });
    expect(running.metricsUrl).toBe(`http://127.0.0.1:${port}`);

    for (const path of ['/metrics/prometheus', '/metrics']) {
      const response = await fetch(`${running.metricsUrl}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await response.text();
      expect(text).toContain('# TYPE ory_oathkeeper_requests_total counter');
      expect(text).toContain('# TYPE ory_oathkeeper_requests_duration_seconds histogram');
      expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    }
    expect((await fetch(`${running.metricsUrl}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('names the families with metric_name_prefix, and takes the port from SERVE_PROMETHEUS_PORT', async () => {
    const port = await freePort();
    const file = await oathkeeperConfig({ host: '127.0.0.1', metric_name_prefix: 'edge_' });
    const config = await loadAccessConfig({
      files: [file],
      env: { SERVE_PROMETHEUS_PORT: String(port) },
      dev: false,
      cwd: dir,
    });
    running = await startAccessRoles(config, silentLogger(), ROLES, { cwd: dir });
    expect(running.metricsUrl).toBe(`http://127.0.0.1:${port}`);
    const text = await (await fetch(`${running.metricsUrl}/metrics`)).text();
    expect(text).toContain('# TYPE edge_requests_total counter');
  });

  it('opens no metrics port when the config has no serve.prometheus', async () => {
    const file = await oathkeeperConfig(undefined);
    const config = await loadAccessConfig({ files: [file], env: {}, dev: false, cwd: dir });
    running = await startAccessRoles(config, silentLogger(), ROLES, { cwd: dir });
    expect(running.metricsUrl).toBeUndefined();
  });

  it('counts the proxy and api requests under service, method, request and status_code', async () => {
    const upstream: HttpReceiver = await startHttpReceiver();
    try {
      const rules = [
        {
          id: 'app',
          upstream: { url: upstream.url },
          match: { url: '<.*>/app/<.*>', methods: ['GET'] },
          authenticators: [{ handler: 'noop' }],
          authorizer: { handler: 'allow' },
          mutators: [{ handler: 'noop' }],
        },
      ];
      const file = await oathkeeperConfig({ host: '127.0.0.1', port: await freePort() }, rules);
      const config = await loadAccessConfig({ files: [file], env: {}, dev: false, cwd: dir });
      running = await startAccessRoles(config, silentLogger(), ROLES, { cwd: dir });
      const proxy = running.accessProxy?.proxyUrl;
      const api = running.accessProxy?.apiUrl;

      // Each answer is read to its end: a request counts once its response is done.
      for (const path of ['/app/one', '/app/two?x=1'])
        expect((await fetch(`${proxy}${path}`)).status).toBe(200);
      expect((await fetch(`${proxy}/nowhere/three`)).status).toBe(404);
      expect((await fetch(`${api}/decisions/app/four`)).status).toBe(200);
      expect((await fetch(`${api}/rules`)).status).toBe(200);
      // Left out, as Oathkeeper's ExcludePaths(ReadyCheckPath, AliveCheckPath).
      expect((await fetch(`${api}/health/alive`)).status).toBe(200);

      const text = await (await fetch(`${running.metricsUrl}/metrics`)).text();
      const samples = text.split('\n').filter((line) => line.startsWith('ory_oathkeeper_requests_total{'));
      expect(samples.sort()).toEqual([
        'ory_oathkeeper_requests_total{service="oathkeeper-api",method="GET",request="/decisions",status_code="200"} 1',
        'ory_oathkeeper_requests_total{service="oathkeeper-api",method="GET",request="/rules",status_code="200"} 1',
        'ory_oathkeeper_requests_total{service="oathkeeper-proxy",method="GET",request="/app",status_code="200"} 2',
        'ory_oathkeeper_requests_total{service="oathkeeper-proxy",method="GET",request="/nowhere",status_code="404"} 1',
      ]);
      expect(text).toMatch(
        /^ory_oathkeeper_requests_duration_seconds_count\{service="oathkeeper-proxy",method="GET",request="\/app",status_code="200"\} 2$/m,
      );
      expect(text).not.toContain('request="/health');
    } finally {
      await upstream.stop();
    }
  });

  it("refuses a key Oathkeeper's serve.prometheus does not have, with its path", async () => {
    const file = await oathkeeperConfig({ port: 9000, path: '/metrics' });
    await expect(loadAccessConfig({ files: [file], env: {}, dev: false, cwd: dir })).rejects.toThrow(
      /serve\.prometheus\.path/,
    );
  });
});
