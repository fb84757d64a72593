import { ConfigError } from '../../config/index.js';
import { findImport, type JsonnetEvaluator } from '../../jsonnet/index.js';
import { formEncode } from '../../kernel/form-body.js';
import { type OutboundHttp, OutboundHttpError } from '../../kernel/http-client.js';
import type { WebHookConfig } from '../../selfservice/hooks/web-hook/config.js';
import { buildWebHookRequest } from '../../selfservice/hooks/web-hook/request.js';
import { createTemplateSource } from '../../selfservice/hooks/web-hook/templates.js';
import type { DispatchError } from '../model.js';
import type { CourierTemplateData } from '../templates/types.js';
import type { Channel, DeliveryResult, OutgoingEmail } from './channel.js';
import type { CourierHttpConfig } from './http-config.js';

/**
 * The header that carries the message id on every attempt, so that a receiver can drop the
 * second copy of a message sent again after a crash (the HTTP counterpart of the stable
 * Message-ID on SMTP). Not sent when the operator configured a header of that name.
 */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** Only the status decides; the answer is read this far and no further. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Kratos's `template_data` for a template's variables: the template model as Kratos marshals it
 * to JSON (snake_case keys: `to`, `verification_code`, `verification_url`, `recovery_code`,
 * `recovery_url`, `identity`, `expires_in_minutes`, `request_url`, `transient_payload`). Unset
 * variables are left out.
 */
export function kratosTemplateData(data: CourierTemplateData): Record<string, unknown> {
  const out: Record<string, unknown> = { to: data.To };
  const fields: ReadonlyArray<readonly [keyof CourierTemplateData, string]> = [
    ['VerificationURL', 'verification_url'],
    ['VerificationCode', 'verification_code'],
    ['RecoveryURL', 'recovery_url'],
    ['RecoveryCode', 'recovery_code'],
    ['Identity', 'identity'],
    ['RequestURL', 'request_url'],
    ['TransientPayload', 'transient_payload'],
    ['ExpiresInMinutes', 'expires_in_minutes'],
  ];
  for (const [from, to] of fields) if (data[from] !== undefined) out[to] = data[from];
  return out;
}

/**
 * The `ctx` the body template is called with, shaped as Kratos's `httpDataModel`
 * (courier/http_channel.go): `recipient`, `subject` (empty for an SMS), `body` (plain text, an
 * SMS's text), `html_body` (when the message has one: never for an SMS), `template_type`,
 * `template_data` and `message_type` (`email` or `sms`).
 *
 * `template_data` holds the variables the message was rendered with (kept in the outbox);
 * a message queued before they were kept gets only `to`.
 */
export function httpDeliveryContext(email: OutgoingEmail): Record<string, unknown> {
  return {
    recipient: email.recipient,
    subject: email.subject,
    body: email.body,
    ...(email.html_body === null || email.html_body === '' ? {} : { html_body: email.html_body }),
    template_type: email.template_type,
    template_data: email.template_data ?? kratosTemplateData({ To: email.recipient }),
    message_type: email.type,
  };
}

const FORM_SHAPE = 'a form-encoded body must be an object of strings';

function transportError(error: OutboundHttpError): DispatchError {
  const code =
    error.kind === 'timeout'
      ? 'ETIMEDOUT'
      : (error.code ?? (error.kind === 'connection' ? 'ECONNECTION' : error.kind));
  return { code, message: error.message, permanent: false };
}

const aborted = (): DeliveryResult => ({
  ok: false,
  error: { code: 'EABORT', message: 'the send was aborted', permanent: false },
});

export interface HttpChannelDeps {
  jsonnet: JsonnetEvaluator;
  http: OutboundHttp;
  /** Where `file://` templates resolve. */
  cwd: string;
  /** Deadline of one request (the worker's send timeout also bounds it, through the signal). */
  timeoutMs: number;
}

/**
 * Checks the body template at start, as Portcullis checks email templates: a `file://` that
 * cannot be read, an import, or a template that fails on a message Portcullis sends (the
 * samples) stops the start. `http(s)://` templates are fetched on first use, as in Kratos.
 */
async function checkTemplate(
  config: CourierHttpConfig,
  deps: HttpChannelDeps,
  load: (uri: string) => Promise<string>,
  samples: readonly OutgoingEmail[],
): Promise<void> {
  const uri = config.bodyUri;
  if (uri === undefined || /^https?:\/\//i.test(uri)) return;
  const path = `${config.path}.body`;
  let source: string;
  try {
    source = await load(uri);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError([{ path, message: `the Jsonnet template cannot be read (${code})` }]);
  }
  const imported = findImport(source);
  if (imported !== undefined) {
    const where =
      imported === 'unverifiable'
        ? 'the template cannot be checked for them'
        : `${imported.keyword} at line ${imported.line}`;
    throw new ConfigError([{ path, message: `Jsonnet imports are not allowed (${where})` }]);
  }
  for (const sample of samples) {
    const outcome = await deps.jsonnet.callFunction(source, { ctx: httpDeliveryContext(sample) });
    let failure: string | undefined;
    if (outcome.kind === 'error' || outcome.kind === 'resource_limit') failure = outcome.message;
    else if (outcome.kind === 'timeout') failure = 'the evaluation ran out of time';
    else if (outcome.kind === 'ok' && config.encoding === 'form' && formEncode(outcome.json) === undefined) {
      failure = FORM_SHAPE;
    }
    if (failure !== undefined) {
      throw new ConfigError([
        { path, message: `the Jsonnet template fails for a ${sample.template_type} message: ${failure}` },
      ]);
    }
  }
}

/**
 * Delivers through an HTTP API, as Kratos's HTTP channel: email with `courier.delivery_strategy:
 * http` (channel id `http`), SMS through the `sms` entry of `courier.channels` (id `sms`). The
 * Jsonnet template makes the body of Kratos's `ctx` (see {@link httpDeliveryContext}), the
 * configured headers and auth go with it, and any 2xx answer means sent. Every other answer,
 * and every transport or template failure, is retried with the courier's back-off; only a
 * JSON template that raises `error "cancel"` abandons the message at once. Redirects are not
 * followed: a 3xx is a failure.
 */
export async function createHttpChannel(
  config: CourierHttpConfig,
  deps: HttpChannelDeps,
  /** Messages of every template type, rendered from sample data, to check the template with. */
  samples: readonly OutgoingEmail[],
  /** What the channel is named in the outbox (`channel`) and in logs. */
  id: 'http' | 'sms' = 'http',
): Promise<Channel> {
  const templates = createTemplateSource({ cwd: deps.cwd, http: deps.http });
  await checkTemplate(config, deps, (uri) => templates.load(uri), samples);
  const idempotencyConfigured = Object.keys(config.headers).some(
    (name) => name.toLowerCase() === IDEMPOTENCY_HEADER.toLowerCase(),
  );

  return {
    id,
    async deliver(email: OutgoingEmail, signal: AbortSignal): Promise<DeliveryResult> {
      const hook: WebHookConfig = {
        id: undefined,
        url: config.url,
        method: config.method,
        headers: idempotencyConfigured
          ? config.headers
          : { ...config.headers, [IDEMPOTENCY_HEADER]: email.id },
        bodyUri: config.bodyUri,
        auth: config.auth,
        parse: false,
        parseSuccess: false,
        ignore: false,
      };
      const built = await buildWebHookRequest(
        { jsonnet: deps.jsonnet, templates },
        hook,
        httpDeliveryContext(email),
      );
      if (signal.aborted) return aborted();
      // Kratos honours "cancel" for JSON bodies only: for a form body it is a template error.
      if (built.kind === 'cancelled' && config.encoding === 'json') {
        const message = 'the body template cancelled this message (error "cancel")';
        return { ok: false, error: { code: 'template_cancelled', message, permanent: true } };
      }
      if (built.kind !== 'request') {
        const message =
          built.kind === 'failed'
            ? built.reason
            : 'the body template raised "cancel", which a form body does not honour';
        return { ok: false, error: { code: 'template_failed', message, permanent: false } };
      }
      // Form-encoded by the builder when the configured Content-Type says so (as Kratos's).
      const body = built.request.body ?? undefined;
      let status: number;
      try {
        const response = await deps.http.request({
          url: built.request.url,
          method: built.request.method,
          headers: built.request.headers,
          ...(body === undefined ? {} : { body }),
          timeoutMs: deps.timeoutMs,
          maxResponseBytes: MAX_RESPONSE_BYTES,
          signal,
        });
        status = response.status;
      } catch (error) {
        if (signal.aborted) return aborted();
        if (!(error instanceof OutboundHttpError)) {
          return {
            ok: false,
            error: {
              code: 'ESEND',
              message: error instanceof Error ? error.message : String(error),
              permanent: false,
            },
          };
        }
        // The answer came, only its body was too long to read: its status decides.
        if (error.kind !== 'response_too_large' || error.status === undefined) {
          return { ok: false, error: transportError(error) };
        }
        status = error.status;
      }
      if (status >= 200 && status < 300) return { ok: true };
      return {
        ok: false,
        error: {
          code: 'http_status',
          message: `the HTTP server answered ${status}`,
          response_code: status,
          permanent: false,
        },
      };
    },
    async close() {},
  };
}
