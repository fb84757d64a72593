import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../identity/model.js';
import { badRequest, notFound } from '../../kernel/errors.js';
import { refreshCsrfNode } from '../flow/csrf-node.js';
import { isFlowExpired, type SelfServiceFlow } from '../flow/flow.js';
import { tooManyAttempts, tooManyAttemptsText } from '../flow/flow-errors.js';
import {
  checkSubmissionClient,
  flowIdFrom,
  queryLinkToken,
  readFlowSubmission,
  saveFlowUi,
  storeFlowUi,
} from '../flow/flow-steps.js';
import { assertCsrf, csrfBinding, csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import { Msg, uiText } from '../flow/messages.js';
import { flowUiUrl, respondWithFlow } from '../flow/respond.js';
import { serializeFlow } from '../flow/serialize.js';
import type { UiNode } from '../flow/ui.js';
import { WebHookRefusal } from '../hooks/runner.js';
import { continueLinkNode } from '../nodes/address-flows.js';
import { SUBMITTED_TOO_OFTEN } from '../one-time/deliver.js';
import { nonEmailRefusal } from '../one-time/email-field.js';
import { redeemOneTimeSecret } from '../one-time/redeem.js';
import { sendToAddress } from '../one-time/send-step.js';
import { replaceExpiredWithSuccessor } from '../one-time/successor.js';
import type { VerificationDeps } from './deps.js';
import {
  addressMissingNodes,
  createVerificationFlow,
  sentForm,
  sentVia,
  throttledSendNodes,
  withSentAddress,
} from './flow.js';
import { assertMethodEndpointEnabled } from './methods.js';
import { retryVerification } from './retry.js';

interface Step {
  flow: SelfServiceFlow;
  /** The secret from the form, or from the link in the email. */
  secret: string | undefined;
  email: string | undefined;
  method: string | undefined;
  /** A `GET` of the emailed link (not a form post, nor the SDK's `POST ?token=`). */
  clicked: boolean;
  /** The submitted `transient_payload`, read when a message is sent (for its template data). */
  transientPayload(): JsonObject | undefined;
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
  const opened = await readFlowSubmission(deps, 'verification', request);
  const { flow, submission } = opened;
  const method = deps.config.verification.use;
  const secret = submission.field(method === 'code' ? 'code' : 'token');
  if (secret === undefined || secret === '') {
    checkSubmissionClient(deps, request, opened);
  } else if (flow.type === 'browser') {
    // The secret is the proof (Kratos's code strategy checks no CSRF token before using a code),
    // so the flow may be finished in another browser than the one that started it — the one the
    // emailed link was opened in (see prefillFromLink) or the one still showing the form. The
    // form's own CSRF token is still asked for.
    assertCsrf(request, submission.csrfToken, deps.cookies);
  }
  // A native flow's code may come from a browser too: the person opened the emailed link there
  // and types or confirms the code in the verification UI, as Kratos lets API flows complete.
  return run(deps, request, reply, {
    flow,
    secret,
    email: submission.field('email'),
    method: submission.method,
    clicked: false,
    transientPayload: () => submission.transientPayload(),
  });
}

/**
 * `GET /self-service/verification?flow=<id>&code=<code>` (or `&token=`): the link in the
 * email. The secret itself proves the request, so no CSRF token is asked for. A link token
 * (`use: link`) is redeemed, as Kratos's link strategy does; a code is not (see prefillFromLink).
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
    clicked: request.method === 'GET',
    transientPayload: () => undefined,
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
  assertMethodEndpointEnabled(deps);
  const csrfSecret = flow.type === 'browser' ? ensureCsrfSecret(request, reply, deps.cookies) : undefined;
  const csrf = csrfSecret === undefined ? undefined : csrfTokenFor(csrfSecret);
  // As Kratos's body schema: what is not an email address is refused before anything else.
  const notAnEmail = nonEmailRefusal(flow.ui.nodes, csrf, step.email);
  if (notAnEmail !== undefined) {
    return save(deps, request, reply, flow, 'fix', {
      nodes: notAnEmail,
      ...(flow.ui.messages === undefined ? {} : { messages: flow.ui.messages }),
    });
  }
  // As Kratos's link strategy (Verify), a link token is used before the flow's state is looked
  // at: a used link of a passed flow is "invalid or already used", on a new flow (see redeem).
  const linkToken = method === 'link' && step.secret !== undefined && step.secret !== '';
  if (flow.state === 'passed_challenge' && !linkToken) {
    // Both strategies' Verify: retryVerificationFlowWithMessage(f.Type, 4070002) — a new flow
    // of the same type says the request was done already; the passed one stays as it is.
    return retryVerification(deps, request, reply, flow, {
      type: flow.type,
      messages: { form: [uiText(Msg.ErrorValidationVerificationRetrySuccess)] },
      strategy: method,
      withMessage: true,
    });
  }
  if (step.method !== undefined && step.method !== method) {
    throw badRequest(`The verification method "${step.method}" is not enabled; use "${method}".`);
  }

  if (step.secret !== undefined && step.secret !== '') {
    if (step.clicked && method === 'code') {
      return prefillFromLink(deps, request, reply, { flow, code: step.secret, csrfSecret });
    }
    return redeem(deps, request, reply, {
      flow,
      secret: step.secret,
      csrf,
      transientPayload: step.transientPayload(),
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
    { requestUrl: flow.request_url, transientPayload: step.transientPayload() },
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
          (a) => sentForm(deps, flow.type, csrf, a, sentVia(flow)).nodes,
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
    // The form sends email only: an SMS flow's `address_via` goes with its old address.
    { ...flow, state: 'sent_email', internal: withSentAddress(flow.internal, sent.address, 'email') },
    'next',
    form,
  );
}

/**
 * A code typed in (or a link token): checked, then the verification `after` hooks, then the
 * address is marked verified — in Kratos's order (verificationUseCode, verificationUseToken run
 * PostVerificationHook before UpdateVerifiableAddress), so a hook can refuse a verification.
 */
async function redeem(
  deps: VerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  submitted: {
    flow: SelfServiceFlow;
    secret: string;
    csrf: string | undefined;
    /** The step's `transient_payload`, for the after hooks (`ctx.flow.transient_payload`). */
    transientPayload: JsonObject | undefined;
  },
): Promise<FastifyReply> {
  const { flow, csrf } = submitted;
  const method = deps.config.verification.use;
  // Typed codes count against the flow's tries; link tokens do not (see redeemOneTimeSecret).
  const result = await redeemOneTimeSecret(
    deps,
    { kind: 'verification', method, flowId: flow.id },
    submitted.secret,
  );
  // As Kratos's verificationUseCode once the flow's tries are spent (ErrCodeSubmittedTooOften):
  // the flow is replaced by one saying so, where the person asks for a new code.
  if (!result.ok && result.reason === 'too_many') {
    return retryVerification(deps, request, reply, flow, {
      type: flow.type,
      messages: { form: [uiText(Msg.ErrorValidationGeneric, { reason: SUBMITTED_TOO_OFTEN })] },
      strategy: 'code',
    });
  }
  // The flow's own secret, past its time: Kratos's VerificationToken.Valid / VerificationCode.Validate
  // give flow.ExpiredError, which retryVerificationFlowWithError turns into a new flow saying
  // 4070005 — a browser flow for a link (every client to its UI), the flow's type for a code
  // (JSON: 410 self_service_flow_expired naming it).
  if (!result.ok && result.reason === 'expired') {
    const { expiredAt } = result;
    return retryVerification(deps, request, reply, flow, {
      type: method === 'code' ? flow.type : 'browser',
      messages: {
        form: [
          uiText(Msg.ErrorValidationVerificationFlowExpired, { expired_at: expiredAt, now: deps.now() }),
        ],
      },
      strategy: method,
      expiredAt,
    });
  }
  // A bad or used link token, as Kratos's verificationUseToken (retryVerificationFlowWithMessage
  // with flow.TypeBrowser): a new browser flow saying 4070001, where the person asks for another
  // link; every client, JSON or not, is sent to its UI with 303.
  const invalid = (): Promise<FastifyReply> => {
    if (method === 'link') {
      return retryVerification(deps, request, reply, flow, {
        type: 'browser',
        messages: { form: [uiText(Msg.ErrorValidationVerificationTokenInvalidOrAlreadyUsed)] },
        strategy: 'link',
      });
    }
    const address = typeof flow.internal.address === 'string' ? flow.internal.address : '';
    // A wrong or used code is not a failed request in Kratos's code strategy: the flow, with
    // 4070006, answered 200 (a browser form goes back to the UI either way).
    return save(deps, request, reply, flow, 'next', {
      nodes: sentForm(deps, flow.type, csrf, address, sentVia(flow)).nodes,
      messages: [uiText(Msg.ErrorValidationVerificationCodeInvalidOrAlreadyUsed)],
    });
  };
  if (!result.ok) return invalid();
  // A secret sent to an address the identity no longer has (changed in settings, replaced by an
  // admin) is dead: in Kratos it went with its address (a foreign key, ON DELETE CASCADE), so it
  // gets exactly a wrong one's answer, which says nothing of whether it had been right, and no
  // hook runs for it.
  const identity = await deps.identityById(result.identityId);
  if (identity === undefined || !identity.verifiable_addresses.some((a) => a.value === result.address)) {
    return invalid();
  }
  // Every after hook (`response.parse` and `can_interrupt` ones too) must pass before the
  // address is written. `ctx.flow` is the flow as it was (not yet passed_challenge), as
  // Kratos's ExecutePostVerificationHook hands it over, with the step's `transient_payload` in
  // `ctx.flow.transient_payload` (Kratos sets the submitted one on the flow); `ctx.identity`
  // with metadata_admin, as every flow's hooks get it here.
  const failed = await deps.hooks?.mustPass('verification', method, request, flow, async () => ({
    identity: await deps.identityJson(identity.id, 'hooks'),
    transientPayload: submitted.transientPayload,
  }));
  if (failed instanceof WebHookRefusal) {
    // The code strategy retries with the flow's type; the link strategy with a browser flow.
    return retryVerification(deps, request, reply, flow, {
      type: method === 'code' ? flow.type : 'browser',
      messages: { form: failed.form, fields: failed.fields },
      strategy: method,
    });
  }
  // A hook that failed otherwise (502, 504) stops the verification with its error, as Kratos's
  // error handler forwards a non-validation error.
  if (failed) throw failed;
  // The address went while the hooks ran: dead, as above.
  if (!(await deps.addresses.markVerified(result.identityId, result.address, deps.now()))) return invalid();
  await deps.sessions.identityChanged(result.identityId, await deps.identityById(result.identityId));
  const next = flow.return_to ?? deps.config.verification.after.returnUrl(method);
  // The flow, passed, shows the success and the "Continue" link: as Kratos (code and link
  // strategies alike), whose handler then sends a browser to the verification UI, so a followed
  // link shows it there too rather than leading straight on. Its form is Kratos's new
  // container: `GET` to where Continue leads, with the anchor alone — nothing is left to post,
  // so no CSRF node either.
  return savePassed(deps, request, reply, flow, {
    action: next,
    method: 'GET',
    nodes: [continueLinkNode(method, next)],
    messages: [uiText(Msg.InfoSelfServiceVerificationSuccessful)],
  });
}

/** Stores the flow as passed with the form `ui`, answered as save answers a step's success. */
async function savePassed(
  deps: VerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  ui: SelfServiceFlow['ui'],
): Promise<FastifyReply> {
  const passed: SelfServiceFlow = {
    ...flow,
    state: 'passed_challenge',
    active: deps.config.verification.use,
    ui,
    updated_at: deps.now(),
  };
  await deps.flows.update(passed);
  const uiUrl = deps.config.verification.uiUrl;
  if (flow.type === 'api' && personsBrowser(request)) return reply.redirect(flowUiUrl(uiUrl, flow.id), 303);
  return respondWithFlow(request, reply, passed, uiUrl);
}

/**
 * A code link followed in a browser (Kratos's code strategy, handleLinkClick): the code is put
 * into the flow's form and the browser sent to the verification UI, where the person submits
 * it. Nothing is redeemed by the `GET`, so a mail scanner fetching the link spends no code.
 * Native flows go to the UI as well ("to allow API flows to complete"): the person finishes
 * there, or the app posts the code as before. A browser flow that belongs to another browser
 * passes to this one (Kratos gives the flow this browser's CSRF token), which may then fetch it.
 */
async function prefillFromLink(
  deps: VerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  link: { flow: SelfServiceFlow; code: string; csrfSecret: Buffer | undefined },
): Promise<FastifyReply> {
  const { flow, csrfSecret } = link;
  let nodes = withCodeValue(flow.ui.nodes, link.code);
  let internal = flow.internal;
  if (csrfSecret !== undefined) {
    nodes = refreshCsrfNode(nodes, csrfTokenFor(csrfSecret));
    // A flow started by the server (after registration, settings) belongs to no browser; it stays so.
    if (typeof internal.csrf_binding === 'string') {
      internal = { ...internal, csrf_binding: csrfBinding(csrfSecret) };
    }
  }
  const updated: SelfServiceFlow = {
    ...flow,
    ui: { ...flow.ui, nodes },
    internal,
    updated_at: deps.now(),
  };
  await deps.flows.update(updated);
  if (wantsJson(request)) return reply.code(200).send(serializeFlow(updated));
  return reply.redirect(flowUiUrl(deps.config.verification.uiUrl, flow.id), 303);
}

/** The nodes with the `code` input holding `code` (the key where Kratos's struct has it). */
function withCodeValue(nodes: UiNode[], code: string): UiNode[] {
  return nodes.map((node) => {
    if (node.attributes.node_type !== 'input' || node.attributes.name !== 'code') return node;
    const { name, type, value: _previous, ...rest } = node.attributes;
    return { ...node, attributes: { name, type, value: code, ...rest } } as UiNode;
  });
}

/**
 * A person's browser rather than an app: a followed link or an HTML form post that does not ask
 * for JSON. Kratos sends such a request to the verification UI whatever the flow's type, so a
 * native flow opened from the emailed link is finished in the UI, not answered with raw JSON.
 */
function personsBrowser(request: FastifyRequest): boolean {
  if (wantsJson(request)) return false;
  return request.method === 'GET' || /\btext\/html\b/i.test(request.headers.accept ?? '');
}

type FlowUi = { nodes: SelfServiceFlow['ui']['nodes']; messages?: SelfServiceFlow['ui']['messages'] };

async function save(
  deps: VerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  outcome: 'fix' | 'next',
  ui: FlowUi,
): Promise<FastifyReply> {
  if (flow.type === 'api' && personsBrowser(request)) {
    await storeFlowUi(deps, flow, { active: deps.config.verification.use, ...ui });
    return reply.redirect(flowUiUrl(deps.config.verification.uiUrl, flow.id), 303);
  }
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
  return replaceExpiredWithSuccessor(deps, deps.config.verification.uiUrl, request, reply, flow, (input) =>
    createVerificationFlow(deps, input),
  );
}
