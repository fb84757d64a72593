/**
 * The one error the cache throws on purpose.
 */
import { AppError } from '../kernel/errors.js';
import { withoutDetails } from './safe-error.js';

/**
 * Thrown by `invalidate` when Redis could not record the invalidation or broadcast it. Other
 * replicas may then keep serving the old value from their LRU for up to their `localTtlMs`, so the
 * caller (a revocation, say) should fail loudly rather than report success. It renders as
 * Kratos's 503 `service_unavailable`.
 */
export class CacheUnavailableError extends AppError {
  /** Namespace of the keys that could not be invalidated. */
  readonly namespace: string;

  constructor(namespace: string, cause: unknown) {
    super('service_unavailable', 503, 'The service is temporarily unavailable', {
      reason: 'The shared cache could not be updated. Please try again.',
      cause: withoutDetails(cause),
      exposeId: false,
    });
    this.name = 'CacheUnavailableError';
    this.namespace = namespace;
  }
}
