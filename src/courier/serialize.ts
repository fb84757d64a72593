import type { CourierMessage, DispatchError, MessageDispatch } from './model.js';

/** Kratos's placeholder for a body the admin API does not show outside dev mode. */
export const REDACTED_BODY = '<redacted-unless-dev-mode>';

/**
 * A message as Kratos's admin API shows it (`message`). `dispatches` only when loaded and not
 * empty (Kratos's `omitempty`), newest first as the store loads them.
 */
export function serializeMessage(
  message: CourierMessage & { dispatches?: MessageDispatch[] },
  options: { redactBody: boolean },
): Record<string, unknown> {
  return {
    id: message.id,
    status: message.status,
    type: message.type,
    recipient: message.recipient,
    body: options.redactBody ? REDACTED_BODY : message.body,
    subject: message.subject,
    template_type: message.template_type,
    send_count: message.send_count,
    created_at: message.created_at.toISOString(),
    updated_at: message.updated_at.toISOString(),
    ...(message.channel === null ? {} : { channel: message.channel }),
    ...(message.dispatches === undefined || message.dispatches.length === 0
      ? {}
      : { dispatches: message.dispatches.map(serializeDispatch) }),
  };
}

/**
 * A failed attempt's `error` as Kratos stores it: `herodot.ToDefaultError(err, "")` marshalled,
 * which for a courier failure is `code: 500`, `status: "Internal Server Error"`, the `reason`
 * when the channel gives one (SMTP's "failed to send email via smtp"), and the failure's
 * `message`. Kratos leaves `details` out (an empty map under `omitempty`); Portcullis puts its
 * own diagnosis there — the stable `error_code` (`ECONNREFUSED`, `EENVELOPE`, `http_status`, …)
 * and the SMTP reply code or HTTP status as `response_code` — which fits herodot's shape
 * (`details` is an object of anything) and so any client that reads Kratos's errors. Whether
 * the failure was final (`permanent`) is the worker's business and stays out: the message's
 * `status` (`abandoned`) says it.
 */
export function serializeDispatchError(error: DispatchError): Record<string, unknown> {
  return {
    code: 500,
    status: 'Internal Server Error',
    ...(error.reason === undefined || error.reason === '' ? {} : { reason: error.reason }),
    details: {
      error_code: error.code,
      ...(error.response_code === undefined ? {} : { response_code: error.response_code }),
    },
    message: error.message,
  };
}

function serializeDispatch(dispatch: MessageDispatch): Record<string, unknown> {
  return {
    id: dispatch.id,
    message_id: dispatch.message_id,
    status: dispatch.status,
    ...(dispatch.error === null ? {} : { error: serializeDispatchError(dispatch.error) }),
    created_at: dispatch.created_at.toISOString(),
    updated_at: dispatch.updated_at.toISOString(),
  };
}
