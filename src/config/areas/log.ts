import type { KratosConfigDocument, LogLevel } from '../types.js';

/** Logger settings. */
export interface LogConfig {
  readonly level: LogLevel;
  /** `text` by default, as in Kratos; set `json` (LOG_FORMAT=json) for log collectors. */
  readonly format: 'json' | 'text';
  readonly leakSensitiveValues: boolean;
}

/** Reads `log`. */
export function logConfig(document: KratosConfigDocument): LogConfig {
  return {
    level: document.log?.level ?? 'info',
    format: document.log?.format ?? 'text',
    leakSensitiveValues: document.log?.leak_sensitive_values ?? false,
  };
}

/** Warns when sensitive values may reach the logs of a non-dev deployment. */
export function logWarnings(document: KratosConfigDocument, dev: boolean): string[] {
  if (dev || document.log?.leak_sensitive_values !== true) return [];
  return [
    'log.leak_sensitive_values is enabled: emails, identifiers and other personal data will appear in logs',
  ];
}
