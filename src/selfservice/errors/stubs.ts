import { randomUUID } from 'node:crypto';
import {
  AppError,
  badRequest,
  conflict,
  internalError,
  notFound,
  serviceUnavailable,
} from '../../kernel/errors.js';
import { type FlowErrorJson, flowErrorJson, storedErrorBody } from './flow-error.js';

const STUB_REASON = 'This is a stub error.';

/** The errors `?id=stub:<status>` stands for, with Kratos's generic messages. */
const STUBS: Readonly<Record<string, () => AppError>> = {
  'stub:400': () => badRequest(STUB_REASON),
  'stub:401': () =>
    new AppError('unauthorized', 401, 'The request could not be authorized', {
      reason: STUB_REASON,
      exposeId: false,
    }),
  'stub:403': () =>
    new AppError('forbidden', 403, 'The requested action was forbidden', {
      reason: STUB_REASON,
      exposeId: false,
    }),
  'stub:404': () => notFound(STUB_REASON),
  'stub:409': () => conflict(STUB_REASON),
  'stub:500': () => internalError(STUB_REASON),
  'stub:503': () => serviceUnavailable(STUB_REASON),
};

/** The stub ids an error UI can be built against without causing errors. */
export const STUB_ERROR_IDS: readonly string[] = Object.keys(STUBS);

/**
 * The stub error for `id` (`stub:500`, `stub:404`, ...), readable by any browser so UI
 * developers can render each case; undefined for any other id.
 */
export function stubFlowError(id: string, now: Date): FlowErrorJson | undefined {
  const make = Object.hasOwn(STUBS, id) ? STUBS[id] : undefined;
  if (make === undefined) return undefined;
  return flowErrorJson({ id: randomUUID(), error: storedErrorBody(make()), createdAt: now, updatedAt: now });
}
