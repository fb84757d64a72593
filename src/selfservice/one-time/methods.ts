import type { SelfServiceConfig } from '../../config/index.js';
import { notFound } from '../../kernel/errors.js';
import type { CodeMethod } from '../../persistence/code-store.js';

/** Kratos's strategy.EndpointDisabledMessage. */
export const ENDPOINT_DISABLED_MESSAGE =
  'This endpoint was disabled by system administrator. Please check your url or contact the system administrator to enable it.';

/**
 * `selfservice.methods.{code,link}.enabled`: one switch per method for verification and recovery
 * alike, as Kratos lists only enabled strategies in both flows.
 */
export function oneTimeMethodEnabled(
  config: Pick<SelfServiceConfig, 'code' | 'link'>,
  method: CodeMethod,
): boolean {
  return method === 'code' ? config.code.enabled : config.link.enabled;
}

/**
 * A code or link submitted to (or an admin endpoint of) a switched-off method, say to a flow
 * started before the switch: 404, as Kratos's flow.MethodEnabledAndAllowed and
 * strategy.IsDisabled answer.
 */
export function assertOneTimeMethodEndpointEnabled(
  config: Pick<SelfServiceConfig, 'code' | 'link'>,
  method: CodeMethod,
): void {
  if (!oneTimeMethodEnabled(config, method)) throw notFound(ENDPOINT_DISABLED_MESSAGE);
}
