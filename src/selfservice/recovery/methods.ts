import type { FastifyRequest } from 'fastify';
import { type AppError, badRequest } from '../../kernel/errors.js';
import type { CodeMethod } from '../../persistence/code-store.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { assertOneTimeMethodEndpointEnabled, oneTimeMethodEnabled } from '../one-time/methods.js';
import type { RecoveryDeps } from './deps.js';

/**
 * A switched-off method's admin endpoint, or a code or link submitted to its flow: 404 (see
 * assertOneTimeMethodEndpointEnabled).
 */
export function assertMethodEndpointEnabled(deps: Pick<RecoveryDeps, 'config'>, method: CodeMethod): void {
  assertOneTimeMethodEndpointEnabled(deps.config, method);
}

/**
 * Starting a flow whose `recovery.use` names a switched-off method: 400, as Kratos's
 * GetActiveRecoveryStrategy (only enabled strategies are listed).
 */
export function assertActiveMethodEnabled(deps: Pick<RecoveryDeps, 'config'>): void {
  const method = deps.config.recovery.use;
  if (!oneTimeMethodEnabled(deps.config, method)) {
    throw badRequest(
      `You attempted recovery using ${method}, which is not enabled or does not exist. An administrator needs to enable this recovery method.`,
    );
  }
}

export function recoveryDisabled(): AppError {
  return badRequest('Recovery is not allowed because it was disabled.');
}

/** `POST /admin/recovery/{code,link}` mark their flows with the method they issued. */
export function isAdminIssued(flow: SelfServiceFlow): boolean {
  const method = flow.internal.method;
  return method === 'code' || method === 'link';
}

/**
 * `selfservice.flows.recovery.enabled: false` switches self-service recovery off, not what an
 * admin issued: as Kratos, whose update handler and strategies check the method only, the code
 * or link from `POST /admin/recovery/{code,link}` (the "invite by recovery link" pattern) works
 * with the flow disabled. Flows a person started are refused, should one outlive the switch.
 */
export function assertFlowAllowed(deps: Pick<RecoveryDeps, 'config'>, flow: SelfServiceFlow): void {
  if (!deps.config.recovery.enabled && !isAdminIssued(flow)) throw recoveryDisabled();
}

/**
 * Admin-issued code flows take their code without the CSRF token or the native-client checks:
 * Kratos sets DangerousSkipCSRFCheck on them (createRecoveryCodeForIdentity), since the code
 * is the proof and the person opens the flow in whatever browser they have. Only the code; a
 * resend (an email) is checked as any other submission.
 *
 * Unlike Kratos, not from another site: a page that auto-submits a code the attacker was issued
 * for their own account (an invitation) would sign a visitor's browser into that account (login
 * CSRF), and whatever the visitor then enters would be the attacker's. A person types the code
 * into the UI, which is same-site; browsers say so in Sec-Fetch-Site, and a cross-site
 * submission goes through the usual checks (and fails them: it has no CSRF token).
 */
export function skipsClientCheck(flow: SelfServiceFlow, resend: boolean, request: FastifyRequest): boolean {
  return flow.internal.method === 'code' && !resend && request.headers['sec-fetch-site'] !== 'cross-site';
}
