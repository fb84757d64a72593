import type { JsonnetEvaluator } from '../../../jsonnet/index.js';
import { type OutboundHttp, OutboundHttpError } from '../../../kernel/http-client.js';
import type { Logger } from '../../../kernel/logger.js';
import { parseWebHookConfig, type WebHookConfig } from '../../hooks/web-hook/config.js';
import { buildWebHookRequest } from '../../hooks/web-hook/request.js';
import type { TemplateSource } from '../../hooks/web-hook/templates.js';

/** What the hook said about an identifier and password. */
export type MigrationVerdict = 'match' | 'mismatch' | 'unavailable';

/**
 * `selfservice.methods.password.config.migrate_hook`: lazy password migration. An identity
 * imported with `use_password_migration_hook` has no hash yet; its first sign-in asks the old
 * system whether the password is right (`200 {"status":"password_match"}`; 403 means it is
 * not), and on a match the password is hashed and stored, so the hook is never asked again.
 */
export interface PasswordMigrationHook {
  check(identifier: string, password: string): Promise<MigrationVerdict>;
}

/** Reads `migrate_hook`; undefined unless it is enabled. */
export function createPasswordMigrationHook(
  raw: Readonly<Record<string, unknown>>,
  deps: {
    http: OutboundHttp;
    jsonnet: JsonnetEvaluator;
    templates: TemplateSource;
    logger: Logger;
    timeoutMs: number;
  },
): PasswordMigrationHook | undefined {
  if (raw.enabled !== true) return undefined;
  const config: WebHookConfig = parseWebHookConfig({
    method: 'POST',
    ...((raw.config ?? {}) as Record<string, unknown>),
  });
  const log = deps.logger.child({ hook: 'password_migration' });
  return {
    async check(identifier, password) {
      const ctx = { identifier, password };
      const built = await buildWebHookRequest(deps, config, ctx);
      if (built.kind !== 'request') {
        log.error(
          { reason: built.kind === 'failed' ? built.reason : 'cancelled' },
          'password migration hook failed',
        );
        return 'unavailable';
      }
      // Without a template Kratos posts the two values as JSON.
      const body = built.request.body ?? JSON.stringify(ctx);
      const headers =
        built.request.body === null
          ? { ...built.request.headers, 'Content-Type': 'application/json' }
          : built.request.headers;
      try {
        const response = await deps.http.request({
          url: config.url,
          method: 'POST',
          headers,
          body,
          timeoutMs: deps.timeoutMs,
          maxResponseBytes: 64 * 1024,
        });
        if (response.status === 403) return 'mismatch';
        if (response.status !== 200) {
          log.error({ status: response.status }, 'password migration hook answered unexpectedly');
          return 'unavailable';
        }
        const parsed = JSON.parse(response.body.toString('utf8')) as { status?: unknown };
        if (parsed.status === 'password_match') return 'match';
        log.error('password migration hook answered 200 without "status": "password_match"');
        return 'unavailable';
      } catch (error) {
        log.error(
          { reason: error instanceof OutboundHttpError ? error.kind : 'invalid response' },
          'password migration hook request failed',
        );
        return 'unavailable';
      }
    },
  };
}
