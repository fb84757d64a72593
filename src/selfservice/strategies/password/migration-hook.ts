import type { JsonObject } from '../../../identity/model.js';
import type { JsonnetEvaluator } from '../../../jsonnet/index.js';
import type { AppError } from '../../../kernel/errors.js';
import type { OutboundHttp } from '../../../kernel/http-client.js';
import { OutboundHttpError } from '../../../kernel/http-client.js';
import type { Logger } from '../../../kernel/logger.js';
import { eventHeaders } from '../../../webhooks/analytics-headers.js';
import { KRATOS_WEB_HOOK_POLICY, type ResilientPolicy, sendResilient } from '../../../webhooks/resilient.js';
import { parseWebHookConfig, type WebHookConfig } from '../../hooks/web-hook/config.js';
import { buildWebHookRequest } from '../../hooks/web-hook/request.js';
import type { TemplateSource } from '../../hooks/web-hook/templates.js';
import {
  migrationHookAnsweredImproperly,
  migrationHookTemplateFailed,
  migrationHookUnreachable,
} from './migration-hook-errors.js';

/** What the hook said about an identifier and password; a failure is Kratos's error for it. */
export type MigrationVerdict = { kind: 'match' } | { kind: 'mismatch' } | { kind: 'failed'; error: AppError };

/**
 * What Kratos gives the body template beside `identifier` and `password` (its web hooks'
 * templateContext): `flow`, `identity`, `request_headers`, `request_method`, `request_url`,
 * `request_cookies`. Asked for only when a body template is configured.
 */
export type MigrationTemplateContext = () => JsonObject;

/**
 * `selfservice.methods.password.config.migrate_hook`: lazy password migration. An identity
 * imported with `use_password_migration_hook` has no hash yet; its first sign-in asks the old
 * system whether the password is right (`200 {"status":"password_match"}`; 403, or a 200 saying
 * anything else, means it is not), and on a match the password is hashed and stored, so the hook
 * is never asked again.
 */
export interface PasswordMigrationHook {
  check(identifier: string, password: string, context: MigrationTemplateContext): Promise<MigrationVerdict>;
}

export interface PasswordMigrationHookDeps {
  http: OutboundHttp;
  jsonnet: JsonnetEvaluator;
  templates: TemplateSource;
  logger: Logger;
  /** One attempt's deadline: Kratos calls this hook with its web hook client (30 s). */
  timeoutMs: number;
  /** Retries and their waits; Kratos's (2 retries, 1 s doubling) unless set (tests). */
  retry?: Omit<ResilientPolicy, 'attemptTimeoutMs'>;
}

/** Kratos decodes at most this much of a 200 answer (io.LimitReader(resp.Body, 1024)). */
const MAX_VERDICT_BYTES = 1024;
/** What is read of an answer at all; only its first KiB is decoded. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Whether a 200 answer says `{"status": "password_match"}`, read as Kratos's json.Decoder reads
 * its first KiB: anything else, or nothing that decodes, is a wrong password.
 */
function saysMatch(body: Buffer): boolean {
  try {
    const parsed = JSON.parse(body.subarray(0, MAX_VERDICT_BYTES).toString('utf8')) as unknown;
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      (parsed as { status?: unknown }).status === 'password_match'
    );
  } catch {
    return false;
  }
}

/** Reads `migrate_hook`; undefined unless it is enabled. */
export function createPasswordMigrationHook(
  raw: Readonly<Record<string, unknown>>,
  deps: PasswordMigrationHookDeps,
): PasswordMigrationHook | undefined {
  if (raw.enabled !== true) return undefined;
  const config: WebHookConfig = parseWebHookConfig({
    method: 'POST',
    ...((raw.config ?? {}) as Record<string, unknown>),
  });
  const log = deps.logger.child({ hook: 'password_migration' });
  return {
    async check(identifier, password, context) {
      // Without a template Kratos posts the two values as JSON; a template sees the flow, the
      // identity and the request too (Kratos's templateContext with the two values merged in).
      const values = { identifier, password };
      const built = await buildWebHookRequest(
        deps,
        config,
        config.bodyUri === undefined ? values : { ...context(), ...values },
      );
      if (built.kind !== 'request') {
        const reason = built.kind === 'failed' ? built.reason : 'the body template cancelled the call';
        log.error({ reason }, 'password migration hook failed');
        return { kind: 'failed', error: migrationHookTemplateFailed(reason) };
      }
      const body = built.request.body ?? JSON.stringify(values);
      const headers = {
        ...built.request.headers,
        ...(built.request.body === null ? { 'Content-Type': 'application/json' } : {}),
        // Kratos instruments this hook's client too (trigger id "password_migration_hook").
        ...(config.emitAnalyticsEvent === true ? eventHeaders() : {}),
      };
      // Kratos calls it with its web hook client: the same retries, timeout and redirects.
      const sent = await sendResilient(
        deps.http,
        { url: config.url, method: config.method, headers, body, maxResponseBytes: MAX_RESPONSE_BYTES },
        { ...KRATOS_WEB_HOOK_POLICY, ...deps.retry, attemptTimeoutMs: deps.timeoutMs },
      );
      // Kratos's client returns an error both when no answer came and when it gave up retrying
      // a 429 or 5xx: either way the hook "could not be reached".
      if (sent.kind === 'error') {
        const reason = sent.error instanceof OutboundHttpError ? sent.error.kind : 'connection';
        log.error({ reason, attempts: sent.attempts }, 'password migration hook request failed');
        return { kind: 'failed', error: migrationHookUnreachable() };
      }
      if (sent.kind === 'status') {
        log.error(
          { status: sent.status, attempts: sent.attempts },
          'password migration hook failed on every attempt',
        );
        return { kind: 'failed', error: migrationHookUnreachable() };
      }
      const { status, body: answer } = sent.response;
      if (status === 403) return { kind: 'mismatch' };
      if (status !== 200) {
        log.error({ status }, 'password migration hook answered unexpectedly');
        return { kind: 'failed', error: migrationHookAnsweredImproperly(status) };
      }
      return saysMatch(answer) ? { kind: 'match' } : { kind: 'mismatch' };
    },
  };
}
