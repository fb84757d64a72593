import type { Kysely } from 'kysely';
import type { JsonnetEvaluator } from '../../../jsonnet/index.js';
import { AppError } from '../../../kernel/errors.js';
import { type OutboundHttp, OutboundHttpError } from '../../../kernel/http-client.js';
import type { Logger } from '../../../kernel/logger.js';
import type { Tables } from '../../../persistence/tables.js';
import type { WebhookOutbox } from '../../../webhooks/outbox/index.js';
import type { UiText } from '../../flow/messages.js';
import type { WebHookConfig } from './config.js';
import type { HookContext } from './context.js';
import { buildWebHookRequest } from './request.js';
import { type IdentityPatch, parseWebHookResponse } from './response.js';
import type { TemplateSource } from './templates.js';

export interface WebHookDeps {
  jsonnet: JsonnetEvaluator;
  templates: TemplateSource;
  http: OutboundHttp;
  outbox: Pick<WebhookOutbox, 'enqueue'>;
  db: Kysely<Tables>;
  logger: Logger;
  /** Kratos's web hook client gives up after 10 s. */
  timeoutMs: number;
}

export type WebHookOutcome =
  | { kind: 'done'; patch?: IdentityPatch }
  | { kind: 'cancelled' }
  /** `response.ignore`: written to the outbox, delivered in the background. */
  | { kind: 'queued' }
  | { kind: 'validation'; fields: Record<string, UiText[]>; form: UiText[] }
  | { kind: 'failed'; error: AppError };

/** Kratos's answer when a hook's target fails: the person may try again later. */
function upstreamFailed(reason: string): AppError {
  return new AppError('bad_gateway', 502, 'A third-party upstream service responded improperly.', {
    reason: 'A third-party upstream service responded improperly. Please try again later.',
    details: { hook_error: reason },
    exposeId: false,
  });
}

function upstreamTimedOut(): AppError {
  return new AppError('gateway_timeout', 504, 'A third-party upstream service could not be reached.', {
    reason: 'A third-party upstream service could not be reached. Please try again later.',
    exposeId: false,
  });
}

/** Largest answer read from a hook target, as Kratos (5 MB). */
const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/**
 * Runs one web hook: renders its body from `ctx`, then queues it (`response.ignore`) or calls
 * it and reads the answer. Never throws for the target's failures: the caller decides whether
 * a failure stops the flow (parse hooks) or is only logged.
 */
export async function executeWebHook(
  deps: WebHookDeps,
  config: WebHookConfig,
  ctx: HookContext,
  name: string,
): Promise<WebHookOutcome> {
  const log = deps.logger.child({ hook: name, ...(config.id ? { hook_id: config.id } : {}) });
  const built = await buildWebHookRequest(deps, config, ctx);
  if (built.kind === 'cancelled') {
    log.debug('web hook cancelled by its template');
    return { kind: 'cancelled' };
  }
  if (built.kind === 'failed') {
    log.error({ reason: built.reason }, 'web hook failed');
    return { kind: 'failed', error: upstreamFailed(built.reason) };
  }
  const { request } = built;
  if (config.ignore) {
    await deps.outbox.enqueue(deps.db, { ...request, name });
    return { kind: 'queued' };
  }
  let status: number;
  let body: Buffer;
  try {
    const response = await deps.http.request({
      url: request.url,
      method: request.method,
      headers: request.headers,
      ...(request.body === null ? {} : { body: request.body }),
      timeoutMs: deps.timeoutMs,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    });
    status = response.status;
    body = response.body;
  } catch (error) {
    const kind = error instanceof OutboundHttpError ? error.kind : 'connection';
    log.error({ reason: kind }, 'web hook request failed');
    return { kind: 'failed', error: kind === 'timeout' ? upstreamTimedOut() : upstreamFailed(kind) };
  }
  const parsed = parseWebHookResponse(status, body, config.parse, config.parseSuccess);
  if (parsed.kind === 'failed') {
    log.error({ status, reason: parsed.reason }, 'web hook failed');
    return { kind: 'failed', error: upstreamFailed(parsed.reason) };
  }
  if (parsed.kind === 'validation') {
    log.info({ status }, 'web hook refused the flow');
    return parsed;
  }
  log.info({ status }, 'web hook delivered');
  return parsed.patch === undefined ? { kind: 'done' } : { kind: 'done', patch: parsed.patch };
}
