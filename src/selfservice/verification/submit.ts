import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../../kernel/errors.js';
import { isFlowExpired, type SelfServiceFlow } from '../flow/flow.js';
import { tooManyAttempts, tooManyAttemptsText } from '../flow/flow-errors.js';
import {
  flowIdFrom,
  openSubmission,
  queryLinkToken,
  replaceExpiredFlow,
  saveFlowUi,
} from '../flow/flow-steps.js';
import { csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import { Msg, uiText } from '../flow/messages.js';
import { continueLinkNode } from '../nodes/address-flows.js';
import { withoutNodeMessages } from '../nodes/index.js';
import { redeemSecret } from '../one-time/deliver.js';
import { sendToAddress } from '../one-time/send-step.js';
import type { VerificationDeps } from './deps.js';
import {
  addressMissingNodes,
  createVerificationFlow,
  sentForm,
  throttledSendNodes,
  withCsrf,
} from './flow.js';

interface Step {
  flow: SelfServiceFlow;
  /** The secret from the form, or from the link in the email. */
  secret: string | undefined;
  email: string | undefined;
  method: string | undefined;
}

/** `POST /self-service/verification?flow=<id>`: send a code or link, or check one. */
export async function submitVerification(
  deps: VerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  // As Kratos's link strategy (which reads query and body): a link token sent along is checked
  // as the emailed link is, the token being the proof.
  if (deps.config.verification.use === 'link' && queryLinkToken(request) !== undefined) {
    return followVerificationLink(deps, request, reply);
  }
  const { flow, submission } = await openSubmission(deps, 'verification', request);
  const method = deps.config.verification.use;
  return run(deps, request, reply, {
    flow,
    secret: submission.field(method === 'code' ? 'code' : 'token'),
    email: submission.field('email'),
    method: submission.method,
  });
}

/**
 * `GET /self-service/verification?flow=<id>&code=<code>` (or `&token=`): the link in the
 * email. The secret itself proves the request, so no CSRF token is asked for.
 */
export async function followVerificationLink(
  deps: VerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const query = request.query as { flow?: string; code?: string; token?: string };
  const flow = await deps.flows.get('verification', flowIdFrom(request));
  if (!flow) throw notFound('The verification flow could not be found.');
  return run(deps, request, reply, {
    flow,
    secret: query.code ?? query.token,
    email: undefined,
    method: deps.config.verification.use,
  });
}

async function run(
  deps: VerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  step: Step,
): Promise<FastifyReply> {
  const { flow } = step;
  const method = deps.config.verification.use;
  if (isFlowExpired(flow, deps.now())) return expired(deps, request, reply, flow);
  const csrf =
    flow.type === 'browser' ? csrfTokenFor(ensureCsrfSecret(request, reply, deps.cookies)) : undefined;
  if (flow.state === 'passed_challenge') {
    return save(deps, request, reply, flow, 'fix', {
      nodes: withoutNodeMessages(flow.ui.nodes),
      messages: [uiText(Msg.ErrorValidationVerificationRetrySuccess)],
    });
  }
  if (step.method !== undefined && step.method !== method) {
    throw badRequest(`The verification method "${step.method}" is not enabled; use "${method}".`);
  }

  if (step.secret !== undefined && step.secret !== '') {
    const result = await redeemSecret(deps, { kind: 'verification', method, flowId: flow.id }, step.secret);
    if (!result.ok) {
      const address = typeof flow.internal.address === 'string' ? flow.internal.address : '';
      const form = sentForm(deps, flow.type, csrf, address);
      return save(deps, request, reply, flow, 'fix', {
        nodes: form.nodes,
        messages: [
          uiText(
            method === 'code'
              ? Msg.ErrorValidationVerificationCodeInvalidOrAlreadyUsed
              : Msg.ErrorValidationVerificationTokenInvalidOrAlreadyUsed,
          ),
        ],
      });
    }
    if (!(await deps.addresses.markVerified(result.identityId, result.address, deps.now()))) {
      // The address changed after the code was sent: there is nothing left to verify.
      return save(deps, request, reply, flow, 'fix', {
        nodes: withoutNodeMessages(flow.ui.nodes),
        messages: [uiText(Msg.ErrorValidationVerificationCodeInvalidOrAlreadyUsed)],
      });
    }
    const verified = await deps.identityById(result.identityId);
    await deps.sessions.identityChanged(result.identityId, verified);
    if (verified) {
      await deps.hooks?.postPersist('verification', method, request, flow, async () => ({
        identity: await deps.identityJson(verified.id),
      }));
    }
    const next = flow.return_to ?? deps.config.verification.after.returnUrl(method);
    const passed = { ...flow, state: 'passed_challenge' };
    if (flow.type === 'browser' && flow.return_to !== null && !wantsJson(request)) {
      await deps.flows.update({ ...passed, updated_at: deps.now() });
      return reply.redirect(flow.return_to, 303);
    }
    return save(deps, request, reply, passed, 'next', {
      nodes: withCsrf(flow.type, csrf, [continueLinkNode(method, next)]),
      messages: [uiText(Msg.InfoSelfServiceVerificationSuccessful)],
    });
  }

  if (step.email === undefined || step.email.trim() === '') {
    return save(deps, request, reply, flow, 'fix', { nodes: addressMissingNodes(flow.type, csrf, method) });
  }
  const sent = await sendToAddress(
    deps,
    {
      kind: 'verification',
      method,
      flowId: flow.id,
    },
    step.email,
  );
  if (!sent.sent) {
    // A form post goes back to the form it came from (the code entry after a send, else the
    // address typed), as in login; API and SPA clients get the 429 and Retry-After.
    if (flow.type === 'browser' && !wantsJson(request)) {
      return save(deps, request, reply, flow, 'fix', {
        nodes: throttledSendNodes(
          flow,
          csrf,
          method,
          step.email,
          (a) => sentForm(deps, flow.type, csrf, a).nodes,
        ),
        messages: [tooManyAttemptsText(sent.retryAfterSeconds)],
      });
    }
    reply.header('Retry-After', String(sent.retryAfterSeconds));
    throw tooManyAttempts(sent.retryAfterSeconds);
  }
  const form = sentForm(deps, flow.type, csrf, sent.address);
  return save(
    deps,
    request,
    reply,
    { ...flow, state: 'sent_email', internal: { ...flow.internal, address: sent.address } },
    'next',
    form,
  );
}

function save(
  deps: VerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  outcome: 'fix' | 'next',
  ui: { nodes: SelfServiceFlow['ui']['nodes']; messages?: SelfServiceFlow['ui']['messages'] },
): Promise<FastifyReply> {
  return saveFlowUi(
    { flows: deps.flows, uiUrl: deps.config.verification.uiUrl, now: deps.now },
    request,
    reply,
    flow,
    { outcome, active: deps.config.verification.use, ...ui },
  );
}

function expired(
  deps: VerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
): Promise<FastifyReply> {
  const context = {
    flows: deps.flows,
    uiUrl: deps.config.verification.uiUrl,
    now: deps.now,
    cookies: deps.cookies,
  };
  return replaceExpiredFlow(context, request, reply, flow, (replacement) =>
    createVerificationFlow(deps, {
      type: flow.type,
      requestUrl: flow.request_url,
      returnTo: flow.return_to,
      ...replacement,
    }),
  );
}
