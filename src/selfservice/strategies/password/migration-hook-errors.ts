/**
 * Kratos's answers when the password migration hook cannot decide (hook/password_migration_hook.go):
 * herodot errors without an id, so the flow's answer carries none. Nothing was decided, so the
 * login counts no failed attempt.
 */
import { AppError } from '../../../kernel/errors.js';

/**
 * No answer came (a refused or reset connection, a timeout), or Kratos's client gave up retrying
 * a 429 or 5xx: its Do returns an error either way.
 */
export function migrationHookUnreachable(): AppError {
  return new AppError('bad_gateway', 502, 'calling the password migration hook failed', {
    reason: 'A third-party upstream service could not be reached. Please try again later.',
    exposeId: false,
  });
}

/** The hook answered with a status other than 200 or 403 (and not one retried). */
export function migrationHookAnsweredImproperly(status: number): AppError {
  return new AppError('bad_gateway', 502, `password migration hook failed with status code ${status}`, {
    reason: 'A third-party upstream service responded improperly. Please try again later.',
    exposeId: false,
  });
}

/**
 * The body template could not be loaded or run (or called `error "cancel"`): Kratos's request
 * builder returns a plain error, which herodot writes as a 500 carrying its text.
 */
export function migrationHookTemplateFailed(reason: string): AppError {
  return new AppError('internal_server_error', 500, `password migration hook: ${reason}`, {
    exposeId: false,
  });
}
