import { type AppError, notFound } from '../../kernel/errors.js';
import type { SelfServiceErrorDeps } from './deps.js';
import { type FlowErrorJson, flowErrorJson } from './flow-error.js';
import { stubFlowError } from './stubs.js';

export type FlowErrorRead =
  | { kind: 'found'; flowError: FlowErrorJson }
  /** 404 for an unknown, malformed or missing id. */
  | { kind: 'refused'; error: AppError };

/**
 * The stored error `id`, and the read recorded, as Kratos's errorx fetchError and
 * ReadErrorContainer: whoever holds the id reads it, with or without the browser's cookies.
 * Error UIs that render on a server (`@ory/nextjs` getError, SvelteKit loaders) fetch it
 * without them. The id is a random UUIDv4 that only the browser that hit the error was sent,
 * and the stored body is what that browser would have got as JSON (see storedErrorBody).
 * `stub:<status>` ids answer a sample error.
 */
export async function readFlowError(
  deps: Pick<SelfServiceErrorDeps, 'store' | 'now'>,
  id: string | undefined,
): Promise<FlowErrorRead> {
  const now = deps.now();
  const stub = id === undefined ? undefined : stubFlowError(id, now);
  if (stub !== undefined) return { kind: 'found', flowError: stub };
  const stored = id === undefined ? undefined : await deps.store.get(id);
  if (stored === undefined) return { kind: 'refused', error: notFound('The error could not be found.') };
  await deps.store.markSeen(stored.id, now);
  return { kind: 'found', flowError: flowErrorJson(stored) };
}
