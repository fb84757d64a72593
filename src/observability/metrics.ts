/**
 * Prometheus metrics with Kratos's names and labels (ory/x prometheusx NewMetrics, which Kratos's
 * registry builds as NewMetricsManagerWithPrefix("kratos", "http", version, ...)), plus
 * prom-client's default process and Node.js metrics in place of the Go client's go_* and
 * process_* collectors.
 */

import type { IncomingMessage } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type CounterSeries, type HistogramSeries, SeriesCounter, SeriesHistogram } from './series.js';

/**
 * The Go client's DefBuckets, which every prometheusx histogram keeps (none sets Buckets), the
 * size histograms included: a series-for-series match with Kratos's, not a useful size spread.
 */
export const GO_DEFAULT_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Path of the metrics on Kratos's admin listener (ory/x prometheusx MetricsPrometheusPath), also under /admin. */
export const METRICS_PROMETHEUS_PATH = '/metrics/prometheus';

/** The Prometheus text format's media type. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** The `endpoint` of requests no route matched (prometheusx MetricsManager getLabelForPath). */
export const UNMATCHED_ENDPOINT = '{unmatched}';

let processRegistry: Registry | undefined;

/**
 * prom-client's default metrics (process_cpu_*, process_resident_memory_bytes, nodejs_eventloop_lag_*,
 * nodejs_heap_*, nodejs_gc_duration_seconds, ...), collected once per process: they describe the
 * process, which every listener and every registry of it shares.
 */
export function processMetricsRegistry(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** One scrape: the text of each registry, in order. */
export async function scrape(registries: readonly Registry[]): Promise<string> {
  const texts = await Promise.all(registries.map((registry) => registry.metrics()));
  return texts.filter((text) => text.trim() !== '').join('\n');
}

/** The series of one (endpoint, method, code), looked up once and kept. */
interface EndpointSeries {
  readonly requests: CounterSeries;
  readonly duration: HistogramSeries;
  /** Shared by every endpoint: labelled by code and method only. */
  readonly shared: SharedSeries;
}

/** The series Kratos labels by code and method (or method and status bucket) only. */
interface SharedSeries {
  readonly responseSize: HistogramSeries;
  readonly requestSize: HistogramSeries;
  readonly statuses: CounterSeries;
}

/** Kratos's HTTP metrics families (prometheusx Metrics). */
interface HttpFamilies {
  readonly requests: SeriesCounter;
  readonly duration: SeriesHistogram;
  readonly responseTime: SeriesHistogram;
  readonly responseSize: SeriesHistogram;
  readonly requestSize: SeriesHistogram;
  readonly statuses: SeriesCounter;
}

export interface HttpMetricsOptions {
  /** The `app` constant label: `kratos`, as Kratos's registry sets it. */
  app: string;
  /** The `version` constant label. */
  version: string;
}

/**
 * The HTTP metrics of one running process (public and admin listeners together, as Kratos's one
 * PrometheusManager): `http_requests_total{code,method,endpoint}`,
 * `http_requests_duration_seconds{code,method,endpoint}`, `http_response_time_seconds{endpoint}`,
 * `http_response_size_bytes{code,method}`, `http_requests_size_bytes{code,method}` and
 * `http_requests_statuses_total{method,status_bucket}`, each with the constant labels `app` and
 * `version`. `endpoint` is a route pattern (see {@link kratosEndpoint}), never a request's URL,
 * so the number of series is bounded by routes x methods x status codes.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly families: HttpFamilies;
  private readonly endpoints = new Map<string, EndpointMetrics>();
  private readonly shared = new Map<string, Map<number, SharedSeries>>();

  constructor(options: HttpMetricsOptions) {
    // Constant labels are added when a scrape formats the text, not per observation.
    this.registry.setDefaultLabels({ app: options.app, version: options.version });
    const registry = this.registry;
    this.families = {
      responseTime: new SeriesHistogram(
        'http_response_time_seconds',
        'Description',
        GO_DEFAULT_BUCKETS,
        registry,
      ),
      requests: new SeriesCounter('http_requests_total', 'number of requests', registry),
      duration: new SeriesHistogram(
        'http_requests_duration_seconds',
        'duration of a requests in seconds',
        GO_DEFAULT_BUCKETS,
        registry,
      ),
      responseSize: new SeriesHistogram(
        'http_response_size_bytes',
        'size of the responses in bytes',
        GO_DEFAULT_BUCKETS,
        registry,
      ),
      requestSize: new SeriesHistogram(
        'http_requests_size_bytes',
        'size of the requests in bytes',
        GO_DEFAULT_BUCKETS,
        registry,
      ),
      statuses: new SeriesCounter(
        'http_requests_statuses_total',
        'count number of responses per status',
        registry,
      ),
    };
  }

  /** The recorder of one endpoint label; the same object for the same label. */
  endpoint(label: string): EndpointMetrics {
    let metrics = this.endpoints.get(label);
    if (metrics === undefined) {
      metrics = new EndpointMetrics(this.families, label, (method, code) => this.sharedSeries(method, code));
      this.endpoints.set(label, metrics);
    }
    return metrics;
  }

  private sharedSeries(method: string, code: number): SharedSeries {
    let byCode = this.shared.get(method);
    if (byCode === undefined) {
      byCode = new Map();
      this.shared.set(method, byCode);
    }
    let series = byCode.get(code);
    if (series === undefined) {
      const codeMethod = { code: String(code), method };
      series = {
        responseSize: this.families.responseSize.series(codeMethod),
        requestSize: this.families.requestSize.series(codeMethod),
        statuses: this.statusSeries(method, statusBucket(code)),
      };
      byCode.set(code, series);
    }
    return series;
  }

  /** One series per (method, status bucket), whichever codes fall in the bucket. */
  private readonly statuses = new Map<string, CounterSeries>();
  private statusSeries(method: string, bucket: string): CounterSeries {
    const key = `${method} ${bucket}`;
    let series = this.statuses.get(key);
    if (series === undefined) {
      series = this.families.statuses.series({ method, status_bucket: bucket });
      this.statuses.set(key, series);
    }
    return series;
  }
}

/** Records the requests of one endpoint; its series are looked up once per (method, code). */
export class EndpointMetrics {
  private readonly responseTime: HistogramSeries;
  private readonly byMethod = new Map<string, Map<number, EndpointSeries>>();

  constructor(
    private readonly families: HttpFamilies,
    readonly endpoint: string,
    private readonly shared: (method: string, code: number) => SharedSeries,
  ) {
    this.responseTime = families.responseTime.series({ endpoint });
  }

  /** One answered request, as prometheusx Metrics.Instrument records it. Allocates nothing once seen. */
  record(method: string, code: number, seconds: number, requestBytes: number, responseBytes: number): void {
    const series = this.series(method, code);
    const families = this.families;
    series.requests.value += 1;
    families.duration.observe(series.duration, seconds);
    families.responseTime.observe(this.responseTime, seconds);
    families.responseSize.observe(series.shared.responseSize, responseBytes);
    families.requestSize.observe(series.shared.requestSize, requestBytes);
    series.shared.statuses.value += 1;
  }

  private series(method: string, code: number): EndpointSeries {
    let byCode = this.byMethod.get(method);
    if (byCode === undefined) {
      byCode = new Map();
      this.byMethod.set(method, byCode);
    }
    let series = byCode.get(code);
    if (series === undefined) {
      const labels = { code: String(code), method, endpoint: this.endpoint };
      series = {
        requests: this.families.requests.series(labels),
        duration: this.families.duration.series(labels),
        shared: this.shared(method, code),
      };
      byCode.set(code, series);
    }
    return series;
  }
}

/** prometheusx instrumentHandlerStatusBucket: `2xx` ... `5xx`, `unknown` otherwise. */
export function statusBucket(code: number): string {
  if (code >= 200 && code <= 299) return '2xx';
  if (code >= 300 && code <= 399) return '3xx';
  if (code >= 400 && code <= 499) return '4xx';
  if (code >= 500 && code <= 599) return '5xx';
  return 'unknown';
}

/**
 * A route pattern as Kratos labels it: each path parameter becomes `{param}`
 * (prometheusx reconstructEndpoint), so `/admin/identities/:id` is `/admin/identities/{param}`.
 */
export function kratosEndpoint(routeUrl: string): string {
  if (!routeUrl.includes(':') && !routeUrl.includes('*')) return routeUrl;
  return routeUrl
    .split('/')
    .map((segment) => (segment.includes(':') || segment.includes('*') ? '{param}' : segment))
    .join('/');
}

/**
 * The request's size as promhttp's computeApproximateRequestSize counts it: the request URI, the
 * method, the protocol, every header name and value, and the body's declared length. Reads the
 * raw header list; allocates nothing.
 */
export function approximateRequestSize(request: IncomingMessage): number {
  // "HTTP/" + "1.1": Go's r.Proto.
  let size = (request.url?.length ?? 0) + (request.method?.length ?? 0) + 5 + request.httpVersion.length;
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i++) size += (raw[i] as string).length;
  const declared = request.headers['content-length'];
  if (declared !== undefined) {
    const length = Number(declared);
    if (length > 0) size += length;
  }
  return size;
}
