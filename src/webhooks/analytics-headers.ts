import { randomUUID } from 'node:crypto';

/**
 * Kratos's web hook event headers (selfservice/hook/web_hook.go InstrumentHTTPClientForEvents,
 * sent unless `emit_analytics_event: false`), spelled as Go's Header.Set writes them: the
 * trigger id is one per hook run and stays the same on retries; the request id is new on every
 * attempt.
 */
export const TRIGGER_ID_HEADER = 'Ory-Webhook-Trigger-Id';
export const REQUEST_ID_HEADER = 'Ory-Webhook-Request-Id';

/** The event headers of a new hook run: its trigger id, and a request id for its first attempt. */
export function eventHeaders(): Record<string, string> {
  return { [REQUEST_ID_HEADER]: randomUUID(), [TRIGGER_ID_HEADER]: randomUUID() };
}

/**
 * `headers` for one more attempt: a fresh request id when they carry one (a hook that emits the
 * events), as Kratos's RequestLogHook sets one on every try; unchanged otherwise. The one place
 * both senders (the synchronous resilient one and the outbox worker) renew it.
 */
export function withFreshRequestId(headers: Record<string, string>): Record<string, string> {
  const name = Object.keys(headers).find((h) => h.toLowerCase() === REQUEST_ID_HEADER.toLowerCase());
  return name === undefined ? headers : { ...headers, [name]: randomUUID() };
}
