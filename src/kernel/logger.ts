import pino, { type Bindings, type ChildLoggerOptions, type Logger } from 'pino';
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
  /** Where the lines go; stdout unless given (the one-shot commands log to stderr). */
  destination?: NodeJS.WritableStream;
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
  const out = options.destination ?? process.stdout;
  return options.format === 'text' ? pino(settings, textLogStream(out)) : pino(settings, out);
}

/** A logger that drops everything, for tests that assert behaviour rather than logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

type LogMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * A child logger that is only built when it is needed: `parent.child(bindings, options)` runs the
 * first time something logs at an enabled level (or asks for a child, its bindings or the full
 * pino API through {@link DeferredChildLogger.logger}).
 *
 * Why: Fastify gives every request a child logger (request id bindings, and the route's level when
 * it sets `logLevel`). With pino, that is an object, the bindings serialised through the
 * redaction, and for a route level every log method rebuilt — a few microseconds per request,
 * a measurable share of a whoami answered from cache, for a logger that at the usual levels never
 * writes anything. Deferring it changes no line that is written: the same child, with the same
 * bindings and level, is built on the first line that passes the level check, and writes it.
 */
export class DeferredChildLogger {
  readonly #parent: Logger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: Logger | undefined;

  constructor(parent: Logger, bindings: Bindings, options: ChildLoggerOptions = {}) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  /** The real pino child; built on first use. */
  get logger(): Logger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  get levelVal(): number {
    if (this.#child !== undefined) return this.#child.levelVal;
    const own = this.#options.level;
    return own === undefined
      ? this.#parent.levelVal
      : (this.#parent.levels.values[own] ?? this.#parent.levelVal);
  }

  isLevelEnabled(level: string): boolean {
    const value = this.#parent.levels.values[level];
    return value !== undefined && value >= this.levelVal;
  }

  bindings(): Bindings {
    return this.logger.bindings();
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }

  #write(method: LogMethod, args: unknown[]): void {
    const value = this.#parent.levels.values[method];
    if (value === undefined || value < this.levelVal) return;
    (this.logger[method] as (...a: unknown[]) => void)(...args);
  }

  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  silent(): void {}
}
