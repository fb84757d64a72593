import type { Kysely } from 'kysely';
import type { JsonnetEvaluator } from '../../../jsonnet/index.js';
import { AppError } from '../../../kernel/errors.js';
import { type OutboundHttp, OutboundHttpError } from '../../../kernel/http-client.js';
import type { Logger } from '../../../kernel/logger.js';
import type { Tables } from '../../../persistence/tables.js';
import { eventHeaders } from '../../../webhooks/analytics-headers.js';
import type { WebhookOutbox } from '../../../webhooks/outbox/index.js';
import { TooManyRedirectsError } from '../../../webhooks/redirects.js';
import {
  givingUpDetail,
  givingUpMessage,
  KRATOS_WEB_HOOK_POLICY,
  type ResilientPolicy,
  sendResilient,
} from '../../../webhooks/resilient.js';
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
  /**
   * One attempt's deadline, redirects included: Kratos's web hook client (RegistryBase.HTTPClient)
   * has a 30 s Client.Timeout.
   */
  timeoutMs: number;
  /** Retries and their waits; Kratos's (2 retries, 1 s doubling) unless set (tests). */
  retry?: Omit<ResilientPolicy, 'attemptTimeoutMs'>;
}

export type WebHookOutcome =
  | { kind: 'done'; patch?: IdentityPatch }
  | { kind: 'cancelled' }
  /** `response.ignore`: written to the outbox, delivered in the background. */
  | { kind: 'queued' }
  | { kind: 'validation'; fields: Record<string, UiText[]>; form: UiText[] }
  | { kind: 'failed'; error: AppError };

/**
 * Kratos's answer when a hook's target answered, but not as it should (a status of 400 or more,
 * a redirect that is not followed): the person may try again later.
 */
function upstreamFailed(reason: string): AppError {
  return new AppError('bad_gateway', 502, 'A third-party upstream service responded improperly.', {
    reason: 'A third-party upstream service responded improperly. Please try again later.',
    details: { hook_error: reason },
    exposeId: false,
  });
}

/**
 * What Kratos answers when its web hook returns a plain error, which herodot writes as a 500
 * with that message, no id and no reason: its HTTP client gave up (a 5xx or 429 on every
 * attempt, or no connection: `POST <url> giving up after 3 attempt(s)`), the body template
 * failed (it could not be loaded, or raised an error), or a blocking hook's answer cannot be read
 * (a 4xx without messages, a body that is not JSON).
 */
function plainError(message: string): AppError {
  return new AppError('internal_server_error', 500, message, { exposeId: false });
}

/** Kratos's answer when the last attempt timed out: a 504 whose message is the client's error. */
function upstreamTimedOut(message: string): AppError {
  return new AppError('gateway_timeout', 504, message, {
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
    // A `response.ignore` hook never stops its flow, not even when its request cannot be built:
    // Kratos builds it in the goroutine that sends it and only logs what fails there. Nothing is
    // queued; the flow goes on as for a hook its template cancelled.
    if (config.ignore) return { kind: 'cancelled' };
    return { kind: 'failed', error: plainError(built.reason) };
  }
  // As Kratos's InstrumentHTTPClientForEvents: one trigger id for the run; the request id is
  // renewed on every attempt, by the resilient sender or the outbox's worker.
  const request =
    config.emitAnalyticsEvent === true
      ? { ...built.request, headers: { ...built.request.headers, ...eventHeaders() } }
      : built.request;
  if (config.ignore) {
    await deps.outbox.enqueue(deps.db, { ...request, name });
    return { kind: 'queued' };
  }
  const sent = await sendResilient(
    deps.http,
    {
      url: request.url,
      method: request.method,
      headers: request.headers,
      ...(request.body === null ? {} : { body: request.body }),
      maxResponseBytes: MAX_RESPONSE_BYTES,
    },
    { ...KRATOS_WEB_HOOK_POLICY, ...deps.retry, attemptTimeoutMs: deps.timeoutMs },
  );
  if (sent.kind === 'status') {
    log.error({ status: sent.status, attempts: sent.attempts }, 'web hook failed on every attempt');
    return { kind: 'failed', error: plainError(givingUpMessage(request, sent)) };
  }
  if (sent.kind === 'error') {
    const { error } = sent;
    const kind =
      error instanceof OutboundHttpError
        ? error.kind
        : error instanceof TooManyRedirectsError
          ? 'too_many_redirects'
          : 'connection';
    // The whole reason (a refused address and its range included) for the operator; the answer
    // names the refusal only (see givingUpMessage).
    log.error(
      { reason: kind, attempts: sent.attempts, detail: givingUpDetail(request, sent) },
      'web hook request failed',
    );
    const message = givingUpMessage(request, sent);
    return { kind: 'failed', error: kind === 'timeout' ? upstreamTimedOut(message) : plainError(message) };
  }
  const { status, body } = sent.response;
  if (status >= 300 && status < 400) {
    // A redirect Go's client would not follow (no Location, 300, 304): the target never
    // answered, so nothing may count as delivered, nor a parse hook's patch be dropped silently.
    log.error({ status }, 'web hook answered with a redirect that was not followed');
    return { kind: 'failed', error: upstreamFailed(`the web hook answered ${status}`) };
  }
  const parsed = parseWebHookResponse(status, body, config.parse, config.parseSuccess);
  if (parsed.kind === 'failed') {
    log.error({ status, reason: parsed.reason }, 'web hook failed');
    return {
      kind: 'failed',
      error: parsed.unreadable ? plainError(parsed.reason) : upstreamFailed(parsed.reason),
    };
  }
  if (parsed.kind === 'validation') {
    log.info({ status }, 'web hook refused the flow');
    return parsed;
  }
  log.info({ status }, 'web hook delivered');
  return parsed.patch === undefined ? { kind: 'done' } : { kind: 'done', patch: parsed.patch };
}
