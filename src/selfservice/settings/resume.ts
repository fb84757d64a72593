import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../kernel/errors.js';
import type { Authenticated } from '../../session/manager.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { checkSubmissionClient } from '../flow/flow-steps.js';
import { wantsJson } from '../flow/http-context.js';
import { readSubmission } from '../flow/submission.js';
import { resumeSettingsChange } from './continuity.js';
import type { SettingsDeps } from './deps.js';
import { applySettingsSubmission } from './submit.js';

/**
 * `GET /self-service/settings?flow=<id>` opened by the browser that the refreshing login sent
 * back (Kratos serves this GET with its submit handler): the change paused on this flow for this
 * identity runs now, as Kratos's strategies continue it after `PrepareUpdate` found their
 * container. Undefined when there is none to run, and the caller answers as without one; else
 * the replay, run when called. (Not its answer awaited here: an awaited FastifyReply, being
 * thenable, resolves to undefined, so the caller could not tell a sent answer from none.)
 *
 * The caller has checked the flow (a browser flow, not expired) and that it is the signed-in
 * identity's. As in Kratos's continueSettingsFlow, the replay checks the client again, with the
 * CSRF token the paused submission carried: a refresh of the same person's session keeps the
 * browser's CSRF secret, so it still matches. The answer is the submission's own: for a saved
 * change, 303 to the flow's `return_to`, else `settings.after[.<method>].default_browser_return_url`,
 * else the settings UI showing the flow (`state: success`); for a refused one, 303 to the settings
 * UI with the messages; for a session still too old, a new pause and 303 to the refreshing login.
 * Only HTML navigations replay (Kratos's PrepareUpdate skips JSON requests).
 */
export async function replayPausedSettingsChange(
  deps: SettingsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  current: Authenticated,
): Promise<(() => Promise<FastifyReply>) | undefined> {
  if (flow.type !== 'browser' || wantsJson(request)) return undefined;
  // Beyond Kratos: a navigation from another site never applies a change (a link to this URL
  // could otherwise apply one the person had given up on). It stays for their own return.
  if (request.headers['sec-fetch-site'] === 'cross-site') return undefined;
  const resumed = await resumeSettingsChange(deps, request, reply, flow, current.session.identityId);
  if (resumed === undefined) return undefined;
  const submission = readSubmission(resumed.submitted.body, resumed.submitted.contentType);
  // The token the paused submission passed with, wherever it was sent (body or header).
  const csrfToken = resumed.submitted.csrfToken ?? submission.csrfToken;
  try {
    checkSubmissionClient(deps, request, { flow: resumed.flow, submission: { ...submission, csrfToken } });
  } catch (error) {
    // The browser's CSRF secret changed since the pause (signed out and in again): the change is
    // dropped and the page goes on in a new flow, rather than a dead end at a 403 (Kratos's).
    if (error instanceof AppError && error.id === 'security_csrf_violation') return undefined;
    throw error;
  }
  return () =>
    applySettingsSubmission(deps, request, reply, {
      flow: resumed.flow,
      current,
      submission,
      submitted: resumed.submitted,
    });
}
