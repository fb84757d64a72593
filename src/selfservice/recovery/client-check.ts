import type { FastifyRequest } from 'fastify';
import { AppError } from '../../kernel/errors.js';
import type { CodeMethod } from '../../persistence/code-store.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { checkSubmissionClient } from '../flow/flow-steps.js';
import { Msg, uiText } from '../flow/messages.js';
import type { Submission } from '../flow/submission.js';
import type { RecoveryDeps } from './deps.js';
import type { RecoveryRetryOptions } from './retry.js';

/**
 * The client checks of a recovery submission (checkSubmissionClient), as Kratos's strategies meet
 * a failed EnsureCSRF: undefined when they pass, the retry to answer with when the failure is
 * answered by a new flow, and thrown otherwise.
 *
 * Kratos's code strategy (Recover) abandons the flow for a new browser flow,
 * `retryRecoveryFlow(w, r, flow.TypeBrowser, RetryWithError(err))`, whose ui.Container.ParseError
 * takes a 400 only: a native flow posted with an Origin or a cookie (ErrOriginHeaderNeedsBrowserFlow,
 * ErrCookieHeaderNeedsBrowserFlow) gives a new browser flow saying the reason (4000001), a browser
 * sent to its UI and a JSON client to its JSON, both with 303. A CSRF violation (403) it hands
 * back, and the recovery error handler forwards it: the error UI for a browser's form, the 403
 * to JSON clients, as thrown here. A link flow's failure is thrown too: Kratos's link strategy
 * makes no new flow for it (its HandleRecoveryError answers on the flow itself).
 *
 * The retry is returned rather than answered here: a reply is thenable, so an async helper that
 * resolved to one would resolve to what sending it gives (undefined) instead.
 */
export function recoveryClientRetry(
  deps: RecoveryDeps,
  request: FastifyRequest,
  opened: { flow: SelfServiceFlow; submission: Submission },
  method: CodeMethod,
): RecoveryRetryOptions | undefined {
  try {
    checkSubmissionClient(deps, request, opened);
    return undefined;
  } catch (error) {
    if (method !== 'code' || !(error instanceof AppError) || error.code !== 400) throw error;
    return {
      type: 'browser',
      messages: { form: [uiText(Msg.ErrorValidationGeneric, { reason: error.reason ?? error.message })] },
      strategy: 'code',
    };
  }
}
