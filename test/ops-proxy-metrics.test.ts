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

/** The chart's config shape (what the review ran), on free ports. */
async function oathkeeperConfig(prometheus: Record<string, unknown> | undefined): Promise<string> {
  const file = join(dir, `oathkeeper-${Math.random().toString(36).slice(2)}.yml`);
  await writeFile(
    file,
    stringify({
      serve: {
        proxy: { host: '127.0.0.1', port: await freePort() },
        api: { host: '127.0.0.1', port: await freePort() },
        ...(prometheus === undefined ? {} : { prometheus }),
      },
      access_rules: { repositories: [] },
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

  it("refuses a key Oathkeeper's serve.prometheus does not have, with its path", async () => {
    const file = await oathkeeperConfig({ port: 9000, path: '/metrics' });
    await expect(loadAccessConfig({ files: [file], env: {}, dev: false, cwd: dir })).rejects.toThrow(
      /serve\.prometheus\.path/,
    );
  });
});
