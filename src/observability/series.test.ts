import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesCounter, SeriesHistogram } from './series.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

describe('series families in a prom-client registry', () => {
  it("format as prom-client's own Histogram does, constant labels included", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    for (const registry of [ours, theirs]) registry.setDefaultLabels({ app: 'kratos' });
    const histogram = new SeriesHistogram('h_seconds', 'a help text', BUCKETS, ours);
    const reference = new Histogram({
      name: 'h_seconds',
      help: 'a help text',
      labelNames: ['code'],
      buckets: BUCKETS,
      registers: [theirs],
    });
    const series = histogram.series({ code: '200' });
    for (const value of [0.001, 0.005, 0.3, 7, 11, 0.005]) {
      histogram.observe(series, value);
      reference.observe({ code: '200' }, value);
    }
    const lines = async (registry: Registry) =>
      (await registry.metrics())
        .split('\n')
        .map((line) =>
          line.replace(/\{(.*)\}/, (_m, labels: string) => `{${labels.split(',').sort().join(',')}}`),
        )
        .sort();
    expect(await lines(ours)).toEqual(await lines(theirs));
  });

  it('counts, reads as JSON and resets through the registry', async () => {
    const registry = new Registry();
    const counter = new SeriesCounter('c_total', 'count', registry);
    const a = counter.series({ method: 'GET' });
    const b = counter.series({ method: 'POST' });
    a.value += 3;
    b.value += 1;
    expect(await registry.metrics()).toBe(
      '# HELP c_total count\n# TYPE c_total counter\nc_total{method="GET"} 3\nc_total{method="POST"} 1\n',
    );
    expect((await registry.getMetricsAsJSON())[0]).toMatchObject({
      name: 'c_total',
      type: 'counter',
      values: [
        { labels: { method: 'GET' }, value: 3 },
        { labels: { method: 'POST' }, value: 1 },
      ],
    });
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('c_total{method="GET"} 0');
  });
});
