/**
 * Fastify wiring of {@link HttpMetrics}: every route records its requests under its own pattern,
 * and the metrics are served at /metrics/prometheus.
 */

import type { IncomingMessage } from 'node:http';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onResponseHookHandler,
  RouteOptions,
} from 'fastify';
import type { Registry } from 'prom-client';
import {
  approximateRequestSize,
  type EndpointMetrics,
  type HttpMetrics,
  kratosEndpoint,
  METRICS_CONTENT_TYPE,
  METRICS_PROMETHEUS_PATH,
  scrape,
  UNMATCHED_ENDPOINT,
} from './metrics.js';

/** What createHttpServer needs to record a listener's requests. */
export interface RouteMetrics {
  /** Adds the recording to every route registered on `app` from now on. */
  instrument(app: FastifyInstance): void;
  /** Records a request no route matched (the not-found handler calls it). */
  recordUnmatched(request: FastifyRequest, reply: FastifyReply, responseBytes: number): void;
  /** The recorder of a route's answers given outside Fastify (a fast path, see installFastPath). */
  rawRecorder(routeUrl: string): RawRequestRecorder;
}

/** Records one answer written straight to Node's response: its status, time taken and body size. */
export type RawRequestRecorder = (
  request: IncomingMessage,
  status: number,
  seconds: number,
  responseBytes: number,
) => void;

/**
 * Records with one route-level onResponse hook per route, made when the route is registered with
 * its endpoint label closed over: a request pays one hook call and a few map lookups, and nothing
 * reads the route's options or rebuilds its pattern per request.
 */
export function routeMetrics(metrics: HttpMetrics): RouteMetrics {
  const unmatched = metrics.endpoint(UNMATCHED_ENDPOINT);
  return {
    instrument(app) {
      app.addHook('onRoute', (route) => {
        addOnResponse(route, recorder(metrics.endpoint(kratosEndpoint(route.url))));
      });
    },
    recordUnmatched(request, reply, responseBytes) {
      unmatched.record(
        request.raw.method ?? 'GET',
        reply.statusCode,
        reply.elapsedTime / 1000,
        approximateRequestSize(request.raw),
        responseBytes,
      );
    },
    rawRecorder(routeUrl) {
      const endpoint = metrics.endpoint(kratosEndpoint(routeUrl));
      return (request, status, seconds, responseBytes) =>
        endpoint.record(
          request.method ?? 'GET',
          status,
          seconds,
          approximateRequestSize(request),
          responseBytes,
        );
    },
  };
}

function recorder(endpoint: EndpointMetrics): onResponseHookHandler {
  // A callback hook, not an async one: no promise per request.
  return function recordRequest(request, reply, done) {
    endpoint.record(
      request.raw.method ?? 'GET',
      reply.statusCode,
      reply.elapsedTime / 1000,
      approximateRequestSize(request.raw),
      responseBytes(reply),
    );
    done();
  };
}

/** The body's length as sent: Fastify sets Content-Length on every body it serialises. */
function responseBytes(reply: FastifyReply): number {
  const length = reply.getHeader('content-length');
  if (typeof length === 'number') return length;
  if (typeof length === 'string') {
    const parsed = Number(length);
    return Number.isNaN(parsed) ? 0 : Math.max(parsed, 0);
  }
  return 0;
}

/**
 * Appends `hook` to the route's own onResponse hooks. A new array, never the route's: Fastify
 * clones a GET route's options for its HEAD twin, which gets its own hook through onRoute.
 */
function addOnResponse(route: RouteOptions, hook: onResponseHookHandler): void {
  const existing = route.onResponse;
  route.onResponse =
    existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

/** `GET /metrics/prometheus`: the registries' metrics, as Kratos's admin listener serves them. */
export function metricsRoutes(registries: readonly Registry[]) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get(METRICS_PROMETHEUS_PATH, { logLevel: 'warn' }, async (_request, reply) => {
      reply.type(METRICS_CONTENT_TYPE);
      return scrape(registries);
    });
  };
}
