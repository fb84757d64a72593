/**
 * The invalidation message every replica receives: `{"ns": "<namespace>", "keys": ["..."]}`, and
 * the heartbeat each replica publishes on the same channel: `{"ns": "", "keys": []}`.
 */

/** A decoded invalidation message. */
export interface InvalidationMessage {
  namespace: string;
  keys: string[];
}

/** The wire form of an invalidation. */
export function encodeInvalidation(namespace: string, keys: readonly string[]): string {
  return JSON.stringify({ ns: namespace, keys });
}

/**
 * The heartbeat's namespace. No namespace can be named so, and the heartbeat is a well-formed
 * invalidation of no keys: a replica that predates heartbeats applies it as a no-op (it neither
 * resets its LRU nor logs), so replicas of both versions can run side by side during an upgrade.
 */
const HEARTBEAT_NAMESPACE = '';

/** The wire form of a heartbeat. */
export const HEARTBEAT_TEXT = encodeInvalidation(HEARTBEAT_NAMESPACE, []);

/** Whether `message` is a heartbeat rather than an invalidation. */
export function isHeartbeat(message: InvalidationMessage): boolean {
  return message.namespace === HEARTBEAT_NAMESPACE;
}

/**
 * The message, or `undefined` if it is not one we can read. The caller must then assume it missed
 * an invalidation, since it cannot tell which keys were meant.
 */
export function parseInvalidation(text: string): InvalidationMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { ns, keys } = parsed as { ns?: unknown; keys?: unknown };
  if (typeof ns !== 'string' || !Array.isArray(keys)) return undefined;
  if (!keys.every((key): key is string => typeof key === 'string')) return undefined;
  return { namespace: ns, keys };
}
