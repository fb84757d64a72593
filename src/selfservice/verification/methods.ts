import { badRequest, notFound } from '../../kernel/errors.js';
import { ENDPOINT_DISABLED_MESSAGE } from '../recovery/methods.js';
import type { VerificationDeps } from './deps.js';

type MethodDeps = Pick<VerificationDeps, 'config'>;

/** Whether `selfservice.methods.<use>.enabled` leaves the configured verification method on. */
export function activeMethodEnabled(deps: MethodDeps): boolean {
  const method = deps.config.verification.use;
  return method === 'code' ? deps.config.code.enabled : deps.config.link.enabled;
}

/**
 * Starting a verification flow whose `use` names a switched-off method: 400, as Kratos's
 * GetActiveVerificationStrategy (only enabled strategies are listed), which its init handlers
 * call before creating the flow.
 */
export function assertActiveMethodEnabled(deps: MethodDeps): void {
  if (activeMethodEnabled(deps)) return;
  throw badRequest(
    `The active verification strategy ${deps.config.verification.use} is not enabled. Please enable it in the configuration.`,
  );
}

/**
 * A submission (or a followed link) to a flow of a switched-off method, say one started before
 * the switch: 404, as Kratos's flow.MethodEnabledAndAllowed answers in the strategies' Verify.
 */
export function assertMethodEndpointEnabled(deps: MethodDeps): void {
  if (!activeMethodEnabled(deps)) throw notFound(ENDPOINT_DISABLED_MESSAGE);
}
