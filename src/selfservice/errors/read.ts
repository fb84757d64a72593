import type { FastifyRequest } from 'fastify';
import { type AppError, notFound } from '../../kernel/errors.js';
import { browserHoldsBinding, notThisBrowser } from '../flow/http-context.js';
import type { SelfServiceErrorDeps } from './deps.js';
import { type FlowErrorJson, flowErrorJson } from './flow-error.js';
import { stubFlowError } from './stubs.js';

export type FlowErrorRead =
  | { kind: 'found'; flowError: FlowErrorJson }
  /** 404 for an unknown id, 403 security_csrf_violation for another browser's error. */
  | { kind: 'refused'; error: AppError };

/**
 * The stored error `id` as the browser asking may see it: only the browser that hit the error
 * reads it (its CSRF cookie must match the one the error was stored with), and that read is
 * recorded. `stub:<status>` ids answer a sample error to anyone.
 */
export async function readFlowError(
  deps: Pick<SelfServiceErrorDeps, 'store' | 'cookies' | 'now'>,
  request: FastifyRequest,
  id: string | undefined,
): Promise<FlowErrorRead> {
  const now = deps.now();
  const stub = id === undefined ? undefined : stubFlowError(id, now);
  if (stub !== undefined) return { kind: 'found', flowError: stub };
  const stored = id === undefined ? undefined : await deps.store.get(id);
  if (stored === undefined) return { kind: 'refused', error: notFound('The error could not be found.') };
  if (!browserHoldsBinding(request, stored.csrfToken, deps.cookies)) {
    return { kind: 'refused', error: notThisBrowser(request, deps.cookies) };
  }
  await deps.store.markSeen(stored.id, now);
  return { kind: 'found', flowError: flowErrorJson(stored) };
}
