import pino, { type Logger } from 'pino';
import { textLogStream } from './log-text-format.js';

export type { Logger };

/**
 * Paths that must never reach a log line: credentials in headers and bodies. Config values
 * are redacted before they are logged (see config's redactConfig).
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-session-token"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.hashed_password',
  '*.session_token',
  '*.secrets',
];

export interface LoggerOptions {
  level: string;
  format: 'json' | 'text';
}

/** Kratos's level names mapped to pino's. */
function pinoLevel(level: string): string {
  if (level === 'warning') return 'warn';
  if (level === 'panic') return 'fatal';
  return level;
}

/** A pino logger; `format: text` renders logfmt lines (Kratos's default), `json` one JSON object a line. */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: pinoLevel(options.level),
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: 'portcullis' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.format === 'text' ? pino(settings, textLogStream()) : pino(settings);
}

/** A logger that drops everything, for tests that assert behaviour rather than logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
