import type { DeliveryChannel, DispatchError, MessageType } from '../model.js';

/** What a channel needs of a message (an email or an SMS): never more than goes on the wire. */
export interface OutgoingEmail {
  /** The message id; channels derive a stable Message-ID from it. */
  id: string;
  /** Kratos's `message_type`, which the HTTP channel passes on. */
  type: MessageType;
  recipient: string;
  /** Empty for an SMS. */
  subject: string;
  /** Plain text: an SMS's text. */
  body: string;
  html_body: string | null;
  /** Kratos's template type (`verification_code_valid`, ...): the HTTP channel passes it on. */
  template_type: string;
  /** Kratos's `template_data` (snake_case variables); absent for messages queued before it was kept. */
  template_data?: Record<string, unknown> | null;
}

export type DeliveryResult = { ok: true } | { ok: false; error: DispatchError };

/** One way out for messages (email, or SMS). `deliver` never throws: a failure is a result the worker records. */
export interface Channel {
  readonly id: DeliveryChannel;
  /** Delivers once; `signal` aborts the attempt (send timeout or worker stop). */
  deliver(email: OutgoingEmail, signal: AbortSignal): Promise<DeliveryResult>;
  close(): Promise<void>;
}
