/** Where a delivery is: waiting, leased by a worker, done, or given up on. */
export type DeliveryStatus = 'queued' | 'processing' | 'delivered' | 'abandoned';

/** What a caller hands the outbox: one HTTP call, rendered and ready to send. */
export interface NewDelivery {
  url: string;
  method: string;
  /** Sent as is; may carry the hook's credentials (api key, basic auth). Never logged. */
  headers: Record<string, string>;
  body: string | null;
  /** Which hook this is, for logs (e.g. `registration.after.password.hooks[0]`). */
  name: string;
}

export interface WebhookDelivery extends NewDelivery {
  id: string;
  status: DeliveryStatus;
  /** Attempts started so far; a claim counts one before the call goes out. */
  attempts: number;
  /** When it is due: the next retry, or the lease expiry while processing. */
  next_attempt_at: Date;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  /** Why the last attempt failed, short (`status 503`, `timeout`, `connection ECONNREFUSED`). */
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}
