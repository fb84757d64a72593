/**
 * The logger of the one-shot database commands (`migrate sql`, `cleanup sql`), whose stdout is
 * their output (a plan, a status table, `--format json`): log lines go to stderr, as Kratos's
 * (logrusx writes to stderr), so a start-up that waits for its database ("unable to connect to
 * the database, retrying") never mixes into what a script reads.
 */

import type { JsonObject } from '../config/index.js';
import { createLogger, type Logger } from '../kernel/logger.js';

const LEVELS: Readonly<Record<string, string>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warning: 'warn',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
  panic: 'fatal',
};

/**
 * `log.level` and `log.format` of a config that was not validated (these commands skip
 * validation, as Kratos's configx.SkipValidation), each read only when it has a known value:
 * else `info` and `text`, Kratos's defaults. The server's logger otherwise (redaction included),
 * on stderr.
 */
export function commandLogger(document: JsonObject): Logger {
  const log = document.log;
  const settings = typeof log === 'object' && log !== null && !Array.isArray(log) ? log : {};
  const level = typeof settings.level === 'string' ? (LEVELS[settings.level] ?? 'info') : 'info';
  return createLogger({
    level,
    format: settings.format === 'json' ? 'json' : 'text',
    destination: process.stderr,
  });
}
