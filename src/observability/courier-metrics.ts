/**
 * `courier watch --expose-metrics-port <port>` (or the `expose-metrics-port` key), as Kratos's
 * cmd/courier/watch.go ServeMetrics: a listener of its own answering `GET /metrics/prometheus`
 * (MetricsHandler().SetRoutes) with the process's metrics and Kratos's HTTP request families,
 * which its PrometheusManager middleware feeds with the scrapes themselves. Kratos's courier has
 * no counters of its own, so neither has this.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOn, type MetricsListener } from './listen.js';
import {
  approximateRequestSize,
  type EndpointMetrics,
  HttpMetrics,
  METRICS_CONTENT_TYPE,
  METRICS_PROMETHEUS_PATH,
  processMetricsRegistry,
  scrape,
  UNMATCHED_ENDPOINT,
} from './metrics.js';

export interface CourierMetricsOptions {
  /**
   * Interface to bind: `serve.admin.host`, as Kratos's MetricsListenOn (the admin address with
   * the port replaced); empty means every interface.
   */
  host: string;
  port: number;
  /** The `version` label of the HTTP families. */
  version: string;
}

/** httprouter's answers for what no route takes (its NotFound and MethodNotAllowed defaults). */
const NOT_FOUND = '404 page not found\n';
const METHOD_NOT_ALLOWED = 'Method Not Allowed\n';

export async function startCourierMetrics(options: CourierMetricsOptions): Promise<MetricsListener> {
  const metrics = new HttpMetrics({ app: 'kratos', version: options.version });
  const registries = [processMetricsRegistry(), metrics.registry];
  const endpoints = {
    metrics: metrics.endpoint(METRICS_PROMETHEUS_PATH),
    unmatched: metrics.endpoint(UNMATCHED_ENDPOINT),
  };
  const server: Server = createServer((request, response) => {
    const started = performance.now();
    const path = pathOf(request.url ?? '/');
    if (path !== METRICS_PROMETHEUS_PATH) {
      answer(request, response, 404, NOT_FOUND, endpoints.unmatched, started);
      return;
    }
    if (request.method !== 'GET') {
      response.setHeader('allow', 'GET, OPTIONS');
      answer(request, response, 405, METHOD_NOT_ALLOWED, endpoints.metrics, started);
      return;
    }
    scrape(registries).then(
      (text) => {
        response.setHeader('content-type', METRICS_CONTENT_TYPE);
        answer(request, response, 200, text, endpoints.metrics, started);
      },
      () => answer(request, response, 500, '', endpoints.metrics, started),
    );
  });
  return listenOn(server, options);
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Sends `body` and records the request, as the PrometheusManager middleware around the router. */
function answer(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: string,
  endpoint: EndpointMetrics,
  started: number,
): void {
  const bytes = Buffer.byteLength(body);
  if (!response.hasHeader('content-type')) response.setHeader('content-type', 'text/plain; charset=utf-8');
  response.setHeader('content-length', bytes);
  response.writeHead(status).end(body);
  endpoint.record(
    request.method ?? 'GET',
    status,
    (performance.now() - started) / 1000,
    approximateRequestSize(request),
    bytes,
  );
}
