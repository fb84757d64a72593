/** One problem found while loading the configuration. */
export interface ConfigIssue {
  /** Dotted key path such as `serve.public.port`; array items by index (`identity.schemas.0.url`). Empty for a whole file. */
  readonly path: string;
  /** Why the value is rejected, without the value itself (it may be a secret). */
  readonly message: string;
  /** Where the offending value came from, when known: a file path or `env NAME`. */
  readonly source?: string;
}

/**
 * The configuration cannot be used. Raised once per load with every problem found, so that an
 * operator fixes them all in one round instead of one per restart.
 *
 * Branch on `code` or `instanceof`, never on the message text.
 */
export class ConfigError extends Error {
  /** Stable error code. */
  readonly code = 'config_invalid';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(formatIssues(issues), options);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** True when `value` is a {@link ConfigError}. */
export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof ConfigError;
}

/** A readable, multi-line summary: one `- path: reason (source)` line per issue. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const lines = issues.map((issue) => {
    const where = issue.path === '' ? '' : `${issue.path}: `;
    const source = issue.source === undefined ? '' : ` (${issue.source})`;
    return `  - ${where}${issue.message}${source}`;
  });
  return [`Invalid configuration (${count}):`, ...lines].join('\n');
}
