import type { KratosConfigDocument } from '../types.js';

/** Oathkeeper's `serve.prometheus`, with the defaults of its config schema. */
export interface PrometheusListenerSettings {
  /** Empty: every interface. */
  readonly host: string;
  readonly port: number;
  /** Accepted; as in Oathkeeper, the listener answers the metrics on every path. */
  readonly metricsPath: string;
  readonly metricNamePrefix: string;
  /** The `request` label is empty. */
  readonly hideRequestPaths: boolean;
  /** The `request` label is the first path segment only (else the whole request URI). */
  readonly collapseRequestPaths: boolean;
}

/** Defaults of Oathkeeper's schema (spec/config.schema.json, serve.prometheus). */
export const PROMETHEUS_DEFAULTS: PrometheusListenerSettings = {
  host: '',
  port: 9000,
  metricsPath: '/metrics',
  metricNamePrefix: 'ory_oathkeeper_',
  hideRequestPaths: false,
  collapseRequestPaths: true,
};

/**
 * Reads `serve.prometheus` (validated against Oathkeeper's schema): undefined when the key is
 * absent. Oathkeeper always opens this listener (port 9000 by default); Portcullis opens it only
 * when the config has the key, so a config without it does not start claiming port 9000.
 */
export function prometheusListenerSettings(
  document: KratosConfigDocument,
): PrometheusListenerSettings | undefined {
  const raw = document.serve?.prometheus;
  if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const section = raw as Record<string, unknown>;
  const text = (key: string, fallback: string): string =>
    typeof section[key] === 'string' ? (section[key] as string) : fallback;
  const flag = (key: string, fallback: boolean): boolean =>
    typeof section[key] === 'boolean' ? (section[key] as boolean) : fallback;
  return {
    host: text('host', PROMETHEUS_DEFAULTS.host),
    port: typeof section.port === 'number' ? section.port : PROMETHEUS_DEFAULTS.port,
    metricsPath: text('metrics_path', PROMETHEUS_DEFAULTS.metricsPath),
    metricNamePrefix: text('metric_name_prefix', PROMETHEUS_DEFAULTS.metricNamePrefix),
    hideRequestPaths: flag('hide_request_paths', PROMETHEUS_DEFAULTS.hideRequestPaths),
    collapseRequestPaths: flag('collapse_request_paths', PROMETHEUS_DEFAULTS.collapseRequestPaths),
  };
}
