import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PROMETHEUS_DEFAULTS } from '../config/areas/prometheus.js';
import {
  MAX_REQUEST_LABELS,
  OathkeeperMetrics,
  OTHER_REQUEST,
  observeRequests,
} from './oathkeeper-metrics.js';

async function counts(metrics: OathkeeperMetrics): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text
    .split('\n')
    .filter((line) => line.startsWith('ory_oathkeeper_requests_total{'))
    .sort();
}

describe("Oathkeeper's request metrics", () => {
  it('labels service, method, the first path segment and the status; health paths are left out', async () => {
    const metrics = new OathkeeperMetrics(PROMETHEUS_DEFAULTS);
    const proxy = metrics.service('oathkeeper-proxy');
    proxy.record('GET', '/app/users/42?expand=1', 200, 0.01);
    proxy.record('GET', '/app/orders', 200, 0.01);
    proxy.record('POST', '/', 401, 0.01);
    proxy.record('GET', '/health/ready', 200, 0.01);
    metrics.service('oathkeeper-api').record('GET', '/decisions/app/x', 403, 0.01);
    expect(await counts(metrics)).toEqual([
      'ory_oathkeeper_requests_total{service="oathkeeper-api",method="GET",request="/decisions",status_code="403"} 1',
      'ory_oathkeeper_requests_total{service="oathkeeper-proxy",method="GET",request="/app",status_code="200"} 2',
      'ory_oathkeeper_requests_total{service="oathkeeper-proxy",method="POST",request="/",status_code="401"} 1',
    ]);
  });

  it('hides the request with hide_request_paths, keeps the URI without collapse_request_paths', async () => {
    const hidden = new OathkeeperMetrics({ ...PROMETHEUS_DEFAULTS, hideRequestPaths: true });
    hidden.service('oathkeeper-proxy').record('GET', '/app/x', 200, 0.01);
    expect(await counts(hidden)).toEqual([
      'ory_oathkeeper_requests_total{service="oathkeeper-proxy",method="GET",request="",status_code="200"} 1',
    ]);
    const whole = new OathkeeperMetrics({ ...PROMETHEUS_DEFAULTS, collapseRequestPaths: false });
    whole.service('oathkeeper-proxy').record('GET', '/app/x?y=1', 200, 0.01);
    expect(await counts(whole)).toEqual([
      'ory_oathkeeper_requests_total{service="oathkeeper-proxy",method="GET",request="/app/x?y=1",status_code="200"} 1',
    ]);
  });

  it('bounds the request label: past the cap, new values count as {other}', async () => {
    const metrics = new OathkeeperMetrics({ ...PROMETHEUS_DEFAULTS, collapseRequestPaths: false });
    const proxy = metrics.service('oathkeeper-proxy');
    for (let i = 0; i < MAX_REQUEST_LABELS + 50; i++) proxy.record('GET', `/random-${i}`, 404, 0.001);
    const lines = await counts(metrics);
    expect(lines).toHaveLength(MAX_REQUEST_LABELS + 1);
    expect(lines).toContain(
      `ory_oathkeeper_requests_total{service="oathkeeper-proxy",method="GET",request="${OTHER_REQUEST}",status_code="404"} 50`,
    );
  });

  it('records requests of a wrapped node:http listener when their response closes', async () => {
    const metrics = new OathkeeperMetrics(PROMETHEUS_DEFAULTS);
    const server = createServer(
      observeRequests(metrics.service('oathkeeper-proxy'), (request, response) => {
        response.statusCode = request.url?.startsWith('/denied') ? 403 : 200;
        response.end('ok');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await (await fetch(`${base}/app/one`)).text();
      await (await fetch(`${base}/denied/two`)).text();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await counts(metrics)).toEqual([
        'ory_oathkeeper_requests_total{service="oathkeeper-proxy",method="GET",request="/app",status_code="200"} 1',
        'ory_oathkeeper_requests_total{service="oathkeeper-proxy",method="GET",request="/denied",status_code="403"} 1',
      ]);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(
        /ory_oathkeeper_requests_duration_seconds_count\{service="oathkeeper-proxy",method="GET",request="\/app",status_code="200"\} 1/,
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
