/** A message's place in the outbox, as Kratos names it. */
export type MessageStatus = 'queued' | 'processing' | 'sent' | 'abandoned';

export const MESSAGE_STATUSES: readonly MessageStatus[] = ['queued', 'processing', 'sent', 'abandoned'];

/** What a message is, as Kratos's `type`: an email, or an SMS (to an address whose `via` is `sms`). */
export type MessageType = 'email' | 'sms';

/**
 * Which channel delivered a message: for email SMTP, an HTTP API (`courier.delivery_strategy:
 * http`), or the dev inbox (`--dev` without either); for SMS the HTTP API of Kratos's `sms`
 * channel (`courier.channels`, id `sms`, which Kratos also names the message's channel), or the
 * dev inbox (`--dev` without one).
 */
export type DeliveryChannel = 'smtp' | 'http' | 'sms' | 'inbox';

/**
 * One outbox row. `body` is the plain-text body (an SMS's text); `html_body` the HTML
 * alternative (null for SMS); `subject` is empty for SMS, as in Kratos.
 */
export interface CourierMessage {
  id: string;
  type: MessageType;
  status: MessageStatus;
  recipient: string;
  subject: string;
  body: string;
  html_body: string | null;
  template_type: string;
  /** The template's variables as Kratos names them in `template_data` (snake_case); HTTP delivery passes them on. */
  template_data: Record<string, unknown> | null;
  /** Set once delivered. */
  channel: DeliveryChannel | null;
  /** Delivery attempts started so far (a claim counts as one, so a crash mid-send counts). */
  send_count: number;
  /** Queued: when it is due. Processing: when the lease ends and another worker may retry. */
  next_attempt_at: Date;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Why a delivery attempt failed, as stored in a dispatch's `error`. Never holds the body. */
export interface DispatchError {
  /**
   * Stable code: nodemailer's (`ECONNECTION`, `EENVELOPE`, …), the system's (`ECONNREFUSED`, …)
   * or ours (`attempts_exhausted`, `http_status`, `template_failed`, …).
   */
  code: string;
  message: string;
  /** Kratos's `reason` for such a failure, when it gives one (SMTP: `failed to send email via smtp`). */
  reason?: string;
  /** The SMTP reply code or HTTP status, when the server answered. */
  response_code?: number;
  /** True when retrying cannot help (an SMTP 5xx answer): the message is abandoned at once. */
  permanent: boolean;
}

/** One delivery attempt, as Kratos records them. */
export interface MessageDispatch {
  id: string;
  message_id: string;
  status: 'failed' | 'success';
  error: DispatchError | null;
  created_at: Date;
  updated_at: Date;
}

/** A message with its delivery attempts, newest first (as Kratos loads them: `created_at desc`). */
export type CourierMessageWithDispatches = CourierMessage & { dispatches: MessageDispatch[] };
