import type { CourierMessage, MessageDispatch } from './model.js';

/** Kratos's placeholder for a body the admin API does not show outside dev mode. */
export const REDACTED_BODY = '<redacted-unless-dev-mode>';

/** A message as Kratos's admin API shows it (`message`); dispatches only when loaded. */
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
    ...(message.dispatches === undefined ? {} : { dispatches: message.dispatches.map(serializeDispatch) }),
  };
}

function serializeDispatch(dispatch: MessageDispatch): Record<string, unknown> {
  return {
    id: dispatch.id,
    message_id: dispatch.message_id,
    status: dispatch.status,
    ...(dispatch.error === null ? {} : { error: dispatch.error }),
    created_at: dispatch.created_at.toISOString(),
    updated_at: dispatch.updated_at.toISOString(),
  };
}
