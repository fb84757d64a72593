/**
 * The access proxy's metrics, with Oathkeeper's names and labels (metrics/prometheus.go
 * NewConfigurablePrometheusRepository, metrics/middleware.go), served on `serve.prometheus`
 * (cmd/server runPrometheus).
 */

import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Registry } from 'prom-client';
import type { PrometheusListenerSettings } from '../config/areas/prometheus.js';
import { listenOn, type MetricsListener } from './listen.js';
import { GO_DEFAULT_BUCKETS, METRICS_CONTENT_TYPE, scrape } from './metrics.js';
import { type CounterSeries, type HistogramSeries, SeriesCounter, SeriesHistogram } from './series.js';

/** Oathkeeper's service label of each listener (NewMiddleware(prom, "oathkeeper-proxy"|"oathkeeper-api")). */
export type OathkeeperService = 'oathkeeper-proxy' | 'oathkeeper-api';

/** Paths Oathkeeper's middleware leaves out (ExcludePaths(healthx.ReadyCheckPath, healthx.AliveCheckPath)). */
const SILENT_PATHS: ReadonlySet<string> = new Set(['/health/ready', '/health/alive']);

/**
 * Distinct `request` values kept per service. Oathkeeper labels by the request's first path
 * segment (or its whole URI with collapse_request_paths: false), which the client chooses: past
 * this many, further values count under {@link OTHER_REQUEST}, so random paths cannot grow the
 * series (and the memory) without bound.
 */
export const MAX_REQUEST_LABELS = 500;
export const OTHER_REQUEST = '{other}';

/** The two series of one (service, request, method, status). */
interface RequestSeries {
  readonly requests: CounterSeries;
  readonly duration: HistogramSeries;
}

export type OathkeeperMetricsOptions = Pick<
  PrometheusListenerSettings,
  'metricNamePrefix' | 'hideRequestPaths' | 'collapseRequestPaths'
>;

/**
 * `<prefix>requests_total` and `<prefix>requests_duration_seconds` (DefBuckets), labelled
 * `service`, `method`, `request`, `status_code`; prefix `ory_oathkeeper_` unless
 * `serve.prometheus.metric_name_prefix` says otherwise.
 */
export class OathkeeperMetrics {
  readonly registry = new Registry();
  private readonly requests: SeriesCounter;
  private readonly duration: SeriesHistogram;

  constructor(private readonly options: OathkeeperMetricsOptions) {
    const prefix = options.metricNamePrefix;
    this.requests = new SeriesCounter(`${prefix}requests_total`, 'Total number of requests', this.registry);
    this.duration = new SeriesHistogram(
      `${prefix}requests_duration_seconds`,
      'Time spent serving requests.',
      GO_DEFAULT_BUCKETS,
      this.registry,
    );
  }

  /** The recorder of one listener. */
  service(service: OathkeeperService): OathkeeperRecorder {
    return new OathkeeperRecorder(service, this.options, this.requests, this.duration);
  }
}

/** Records one listener's requests; series are made once per (request, method, status). */
export class OathkeeperRecorder {
  private readonly series = new Map<string, Map<string, Map<number, RequestSeries>>>();

  constructor(
    private readonly service: OathkeeperService,
    private readonly options: OathkeeperMetricsOptions,
    private readonly requests: SeriesCounter,
    private readonly duration: SeriesHistogram,
  ) {}

  /** One answered request (Middleware.ServeHTTP), `url` being the request URI as received. */
  record(method: string, url: string, statusCode: number, seconds: number): void {
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (SILENT_PATHS.has(path)) return;
    const series = this.seriesFor(this.requestLabel(url, path), method, statusCode);
    series.requests.value += 1;
    this.duration.observe(series.duration, seconds);
  }

  /** Oathkeeper's `request` label: empty when hidden, the first path segment when collapsed. */
  private requestLabel(url: string, path: string): string {
    if (this.options.hideRequestPaths) return '';
    // Middleware.getFirstPathSegment: "/" plus what lies between the first and second slash.
    if (!this.options.collapseRequestPaths) return url;
    const second = path.indexOf('/', 1);
    return second === -1 ? path : path.slice(0, second);
  }

  private seriesFor(request: string, method: string, statusCode: number): RequestSeries {
    let byMethod = this.series.get(request);
    if (byMethod === undefined) {
      // {other} itself always has room: at most MAX_REQUEST_LABELS values plus it.
      if (this.series.size >= MAX_REQUEST_LABELS && request !== OTHER_REQUEST)
        return this.seriesFor(OTHER_REQUEST, method, statusCode);
      byMethod = new Map();
      this.series.set(request, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let series = byStatus.get(statusCode);
    if (series === undefined) {
      const labels = { service: this.service, method, request, status_code: String(statusCode) };
      series = { requests: this.requests.series(labels), duration: this.duration.series(labels) };
      byStatus.set(statusCode, series);
    }
    return series;
  }
}

const STARTED = Symbol('metrics start');
const RECORDER = Symbol('metrics recorder');
type Observed = ServerResponse & { [STARTED]: number; [RECORDER]: OathkeeperRecorder };

/**
 * Wraps a node:http request listener (the proxy's, the decision API's) so each request is
 * recorded when its response closes, with Oathkeeper's labels. The start time and the recorder
 * ride on the response object and one shared function listens: no closure per request.
 */
export function observeRequests(recorder: OathkeeperRecorder, listener: RequestListener): RequestListener {
  return (request, response) => {
    const observed = response as Observed;
    observed[STARTED] = performance.now();
    observed[RECORDER] = recorder;
    // `on`, not `once`: once wraps the listener per call; a response closes once anyway.
    response.on('close', recordClosed);
    listener(request, response);
  };
}

function recordClosed(this: Observed): void {
  const request: IncomingMessage = this.req;
  this[RECORDER].record(
    request.method ?? 'GET',
    request.url ?? '/',
    this.statusCode,
    (performance.now() - this[STARTED]) / 1000,
  );
}

/**
 * The `serve.prometheus` listener. Oathkeeper's runPrometheus hands the metrics handler the
 * whole server, so every path answers with the metrics: `metrics_path` (default `/metrics`) and
 * the `/metrics/prometheus` the Oathkeeper Helm chart's ServiceMonitor scrapes alike.
 */
export async function startMetricsListener(
  settings: Pick<PrometheusListenerSettings, 'host' | 'port'>,
  registries: readonly Registry[],
): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    scrape(registries).then(
      (text) => {
        response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      () => response.writeHead(500).end(),
    );
  });
  return listenOn(server, settings);
}
