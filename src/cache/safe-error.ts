/**
 * Errors fit to log or pass on. ioredis attaches the failed command and its arguments to its
 * errors, and those are cache keys (token hashes) and cached values (sessions, identities).
 */

/** A copy of `error` with its name and message only. */
export function withoutDetails(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const copy = new Error(error.message);
  copy.name = error.name;
  return copy;
}
