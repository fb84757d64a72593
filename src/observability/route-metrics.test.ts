import { describe, expect, it } from 'vitest';
import { createHttpServer } from '../app/http.js';
import { silentLogger } from '../kernel/logger.js';
import { HttpMetrics, kratosEndpoint, statusBucket } from './metrics.js';
import { metricsRoutes, routeMetrics } from './route-metrics.js';

async function app() {
  const metrics = new HttpMetrics({ app: 'kratos', version: 'v9.9.9' });
  const server = createHttpServer({ logger: silentLogger(), metrics: routeMetrics(metrics) });
  server.get('/sessions/whoami', async () => ({ active: true }));
  await server.register(
    async (admin) => {
      admin.get('/identities/:id', async (request) => ({ id: (request.params as { id: string }).id }));
    },
    { prefix: '/admin' },
  );
  await server.register(metricsRoutes([metrics.registry]));
  await server.ready();
  return { server, metrics };
}

/** The samples of `name`: labels (sorted by name, order-free) and value, one string each. */
function samples(text: string, name: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labels = [...(match[2] as string).matchAll(/(\w+)="([^"]*)"/g)]
      .map((pair) => `${pair[1]}=${pair[2]}`)
      .sort();
    found.push(`${labels.join(' ')} ${match[3]}`);
  }
  return found.sort();
}

async function requestsTotal(metrics: HttpMetrics): Promise<string[]> {
  return samples(await metrics.registry.metrics(), 'http_requests_total');
}

describe('route metrics', () => {
  it('labels each request with its route pattern, {unmatched} for 404s, and the constant labels', async () => {
    const { server, metrics } = await app();
    await server.inject({ url: '/sessions/whoami' });
    await server.inject({ url: '/sessions/whoami' });
    await server.inject({ url: '/admin/identities/2f1e6f7c-5b0a-4d5e-9d61-1f6d0c1b7e11' });
    await server.inject({ url: '/admin/identities/another' });
    await server.inject({ url: '/nowhere/2f1e6f7c' });
    expect(await requestsTotal(metrics)).toEqual([
      'app=kratos code=200 endpoint=/admin/identities/{param} method=GET version=v9.9.9 2',
      'app=kratos code=200 endpoint=/sessions/whoami method=GET version=v9.9.9 2',
      'app=kratos code=404 endpoint={unmatched} method=GET version=v9.9.9 1',
    ]);
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('2f1e6f7c');
    expect(samples(text, 'http_requests_statuses_total')).toEqual([
      'app=kratos method=GET status_bucket=2xx version=v9.9.9 4',
      'app=kratos method=GET status_bucket=4xx version=v9.9.9 1',
    ]);
    // The 404 body's length, as sent.
    const notFound = await server.inject({ url: '/nowhere' });
    expect(samples(text, 'http_response_size_bytes_sum')).toContain(
      `app=kratos code=404 method=GET version=v9.9.9 ${notFound.body.length}`,
    );
  });

  it("counts a HEAD request once, under the GET route's pattern", async () => {
    const { server, metrics } = await app();
    await server.inject({ method: 'HEAD', url: '/sessions/whoami' });
    await server.inject({ method: 'GET', url: '/sessions/whoami' });
    expect(await requestsTotal(metrics)).toEqual([
      'app=kratos code=200 endpoint=/sessions/whoami method=GET version=v9.9.9 1',
      'app=kratos code=200 endpoint=/sessions/whoami method=HEAD version=v9.9.9 1',
    ]);
  });

  it('serves the text format at /metrics/prometheus', async () => {
    const { server } = await app();
    await server.inject({ url: '/sessions/whoami' });
    const scrape = await server.inject({ url: '/metrics/prometheus' });
    expect(scrape.statusCode).toBe(200);
    expect(scrape.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(scrape.body).toContain('# TYPE http_requests_duration_seconds histogram');
    expect(samples(scrape.body, 'http_requests_duration_seconds_bucket')).toContain(
      'app=kratos code=200 endpoint=/sessions/whoami le=+Inf method=GET version=v9.9.9 1',
    );
  });
});

describe('label helpers', () => {
  it('replaces path parameters with {param}, as prometheusx reconstructEndpoint', () => {
    expect(kratosEndpoint('/admin/identities/:id/credentials/:type')).toBe(
      '/admin/identities/{param}/credentials/{param}',
    );
    expect(kratosEndpoint('/ui/*')).toBe('/ui/{param}');
    expect(kratosEndpoint('/sessions/whoami')).toBe('/sessions/whoami');
  });

  it('buckets statuses as prometheusx does', () => {
    expect([101, 204, 303, 404, 503, 600].map(statusBucket)).toEqual([
      'unknown',
      '2xx',
      '3xx',
      '4xx',
      '5xx',
      'unknown',
    ]);
  });
});
