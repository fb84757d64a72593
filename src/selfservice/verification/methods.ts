import { badRequest } from '../../kernel/errors.js';
import { assertOneTimeMethodEndpointEnabled, oneTimeMethodEnabled } from '../one-time/methods.js';
import type { VerificationDeps } from './deps.js';

type MethodDeps = Pick<VerificationDeps, 'config'>;

/** Whether `selfservice.methods.<use>.enabled` leaves the configured verification method on. */
export function activeMethodEnabled(deps: MethodDeps): boolean {
  return oneTimeMethodEnabled(deps.config, deps.config.verification.use);
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
 * the switch: 404 (see assertOneTimeMethodEndpointEnabled).
 */
export function assertMethodEndpointEnabled(deps: MethodDeps): void {
  assertOneTimeMethodEndpointEnabled(deps.config, deps.config.verification.use);
}
