import { randomUUID } from 'node:crypto';

/**
 * Kratos's web hook event headers (selfservice/hook/web_hook.go instrumentHTTPClientForEvents,
 * sent unless `emit_analytics_event: false`), spelled as Go's Header.Set writes them: the
 * trigger id is one per hook run and stays the same on retries; the request id is new on every
 * attempt.
 */
export const TRIGGER_ID_HEADER = 'Ory-Webhook-Trigger-Id';
export const REQUEST_ID_HEADER = 'Ory-Webhook-Request-Id';

/** `headers` with a fresh request id, when they carry one (a hook that emits the events). */
export function withFreshRequestId(headers: Record<string, string>): Record<string, string> {
  const name = Object.keys(headers).find((h) => h.toLowerCase() === REQUEST_ID_HEADER.toLowerCase());
  return name === undefined ? headers : { ...headers, [name]: randomUUID() };
}
