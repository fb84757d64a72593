import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity, JsonObject } from '../../identity/model.js';
import { badRequest, notFound } from '../../kernel/errors.js';
import type { CodeMethod } from '../../persistence/code-store.js';
import { requestClientIp } from '../../ratelimit/index.js';
import type { IssuedSession } from '../../session/manager.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import { BrowserLocationChangeRequired } from '../flow/browser-location.js';
import { isFlowExpired, type SelfServiceFlow } from '../flow/flow.js';
import { sessionAlreadyAvailable, tooManyAttempts, tooManyAttemptsText } from '../flow/flow-errors.js';
import { flowIdFrom, queryLinkToken, readFlowSubmission, saveFlowUi } from '../flow/flow-steps.js';
import {
  browserHoldsBinding,
  csrfBinding,
  csrfTokenFor,
  ensureCsrfSecret,
  notThisBrowser,
  rotateCsrfSecret,
  setSessionCookie,
  wantsJson,
} from '../flow/http-context.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';
import { requestDevice } from '../flow/request-device.js';
import { continueWithJson, flowUiUrl, respondWithFlow } from '../flow/respond.js';
import { serializeFlow } from '../flow/serialize.js';
import { WebHookRefusal } from '../hooks/runner.js';
import { identityDisabledMessages, identityDisabledText } from '../identity-disabled.js';
import { withoutNodeMessages } from '../nodes/index.js';
import { SUBMITTED_TOO_OFTEN } from '../one-time/deliver.js';
import { nonEmailRefusal } from '../one-time/email-field.js';
import { isRedeemableOneTimeSecret, redeemOneTimeSecret } from '../one-time/redeem.js';
import { sendToAddress } from '../one-time/send-step.js';
import { replaceExpiredWithSuccessor } from '../one-time/successor.js';
import { addressMissingNodes, throttledSendNodes, withCsrf } from '../verification/flow.js';
import { recoveryClientRetry } from './client-check.js';
import type { RecoveryDeps } from './deps.js';
import { createRecoveryFlow, recoverySentForm } from './flow.js';
import { assertFlowAllowed, assertMethodEndpointEnabled, skipsClientCheck } from './methods.js';
import { retryRecovery, strategyRetry } from './retry.js';

/** The method a flow runs: what an admin issued it with, else the configured `use`. */
export function recoveryMethodOf(deps: RecoveryDeps, flow: SelfServiceFlow): CodeMethod {
  const method = flow.internal.method;
  return method === 'code' || method === 'link' ? method : deps.config.recovery.use;
}

/** `POST /self-service/recovery?flow=<id>`: send a code or link, or redeem one. */
export async function submitRecovery(
  deps: RecoveryDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  // As Kratos's link strategy (which reads query and body): a link token sent along is redeemed
  // as the emailed link is, the token being the proof, not the form's CSRF token.
  if (queryLinkToken(request) !== undefined) {
    const linked = await deps.flows.get('recovery', flowIdFrom(request));
    if (linked && recoveryMethodOf(deps, linked) === 'link') return answerLink(deps, request, reply, linked);
  }
  const opened = await readFlowSubmission(deps, 'recovery', request);
  const { flow, submission } = opened;
  assertFlowAllowed(deps, flow);
  const method = recoveryMethodOf(deps, flow);
  const email = submission.field('email');
  // As Kratos's code strategy (`f.State != StateChooseMethod && len(body.Email) == 0` redeems):
  // an email is the form's "Resend code" button, and asks for a new code even beside a typed one.
  const resend = method === 'code' && email !== undefined && email !== '';
  if (!skipsClientCheck(flow, resend, request)) {
    const retry = recoveryClientRetry(deps, request, opened, method);
    if (retry !== undefined) return retryRecovery(deps, request, reply, flow, retry);
  }
  if (submission.method !== undefined && submission.method !== method) {
    throw badRequest(`The recovery method "${submission.method}" is not enabled; use "${method}".`);
  }
  assertMethodEndpointEnabled(deps, method);
  if (isFlowExpired(flow, deps.now())) return expired(deps, request, reply, flow);
  // As Kratos's body schema (`"email": {"format": "email"}`, code and link strategies alike): a
  // phone number, say, is 400 on the form before anything else; no code would reach it.
  const notAnEmail = nonEmailRefusal(flow.ui.nodes, csrfOf(deps, request, reply, flow), email);
  if (notAnEmail !== undefined) {
    return save(deps, request, reply, flow, 'fix', {
      nodes: notAnEmail,
      ...(flow.ui.messages === undefined ? {} : { messages: flow.ui.messages }),
    });
  }
  const secret = submission.field(method === 'code' ? 'code' : 'token');
  // As Kratos's strategies (Recover: `f.TransientPayload = body.TransientPayload`), the step's
  // payload goes to the message's template data or to the after hooks.
  const transientPayload = submission.transientPayload();
  if (!resend && secret !== undefined && secret !== '')
    return redeem(deps, request, reply, { flow, secret, transientPayload });
  return send(deps, request, reply, flow, email, transientPayload);
}

/**
 * `GET /self-service/recovery?flow=<id>&token=<token>` — the link in the email — or without a
 * token (the link an admin hands out): gives the browser its CSRF cookie and shows the flow.
 */
export async function followRecoveryLink(
  deps: RecoveryDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const flow = await deps.flows.get('recovery', flowIdFrom(request));
  if (!flow) throw notFound('The recovery flow could not be found.');
  return answerLink(deps, request, reply, flow);
}

/** The recovery link's answer for its flow, loaded once by whichever route took the link. */
async function answerLink(
  deps: RecoveryDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
): Promise<FastifyReply> {
  const query = request.query as { token?: string };
  assertFlowAllowed(deps, flow);
  if (isFlowExpired(flow, deps.now())) return expired(deps, request, reply, flow);
  // Only link tokens are redeemed by a GET; a code is typed into the form (a POST with the
  // CSRF token), so a crafted link cannot sign a victim's browser into someone else's account.
  const token = recoveryMethodOf(deps, flow) === 'link' ? query.token : undefined;
  if (token !== undefined && token !== '') {
    assertMethodEndpointEnabled(deps, 'link');
    await refuseRedeemableLinkInAnotherBrowser(deps, request, flow, token);
    return redeem(deps, request, reply, { flow, secret: token, transientPayload: undefined });
  }
  if (flow.type === 'browser') ensureCsrfSecret(request, reply, deps.cookies);
  return respondWithFlow(request, reply, flow, deps.config.recovery.uiUrl);
}

/**
 * A link is judged by its token, as Kratos's recoveryUseToken judges it (no CSRF check: the token
 * is the proof), with one guard beyond Kratos kept where it protects something: a browser flow's
 * link that would still sign someone in must be followed in the browser that started the flow
 * (403 security_csrf_violation otherwise, and nothing is spent). That guard is why the flow's
 * browser binding is checked at all: an attacker cannot send a victim their own unused link to
 * sign the victim's browser in to the attacker's account, and a mail scanner or another device
 * opening the link does not use it up. A token that would not redeem — wrong, used (the link
 * clicked again after it recovered, once recovery rotated this browser's CSRF secret), or expired
 * — signs nobody in, so it gets Kratos's answer in any browser: a new browser flow saying 4060004
 * (or 4060005). Native-flow and admin-issued links belong to no browser.
 */
async function refuseRedeemableLinkInAnotherBrowser(
  deps: RecoveryDeps,
  request: FastifyRequest,
  flow: SelfServiceFlow,
  token: string,
): Promise<void> {
  const binding = flow.internal.csrf_binding;
  if (flow.type !== 'browser' || typeof binding !== 'string') return;
  if (browserHoldsBinding(request, binding, deps.cookies)) return;
  const scope = { kind: 'recovery' as const, method: 'link' as const, flowId: flow.id };
  if (await isRedeemableOneTimeSecret(deps, scope, token)) throw notThisBrowser(request, deps.cookies);
}

async function send(
  deps: RecoveryDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  email: string | undefined,
  transientPayload: JsonObject | undefined,
): Promise<FastifyReply> {
  // As Kratos's strategies (Recover: SessionManager().FetchFromRequest before the email is
  // taken): someone signed in uses settings, and no message goes out for them.
  if ((await signedInIdentity(deps, request)) !== undefined) {
    if (flow.type === 'browser' && !wantsJson(request)) {
      return reply.redirect(flow.return_to ?? deps.config.defaultReturnUrl, 303);
    }
    throw sessionAlreadyAvailable('recovery');
  }
  const method = recoveryMethodOf(deps, flow);
  const csrf = csrfOf(deps, request, reply, flow);
  if (email === undefined || email.trim() === '') {
    return save(deps, request, reply, flow, 'fix', { nodes: addressMissingNodes(flow.type, csrf, method) });
  }
  const sent = await sendToAddress(
    deps,
    {
      kind: 'recovery',
      method,
      flowId: flow.id,
    },
    email,
    { requestUrl: flow.request_url, transientPayload },
  );
  if (!sent.sent) {
    // As in verification: a form post goes back to its form; API and SPA clients get the 429.
    if (flow.type === 'browser' && !wantsJson(request)) {
      return save(deps, request, reply, flow, 'fix', {
        nodes: throttledSendNodes(
          flow,
          csrf,
          method,
          email,
          (a) => recoverySentForm(method, flow.type, csrf, a).nodes,
        ),
        messages: [tooManyAttemptsText(sent.retryAfterSeconds)],
      });
    }
    reply.header('Retry-After', String(sent.retryAfterSeconds));
    throw tooManyAttempts(sent.retryAfterSeconds);
  }
  return save(
    deps,
    request,
    reply,
    { ...flow, state: 'sent_email', internal: { ...flow.internal, address: sent.address } },
    'next',
    recoverySentForm(method, flow.type, csrf, sent.address),
  );
}

async function redeem(
  deps: RecoveryDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  submitted: {
    flow: SelfServiceFlow;
    secret: string;
    /** The step's `transient_payload`, for the after hooks (`ctx.flow.transient_payload`). */
    transientPayload: JsonObject | undefined;
  },
): Promise<FastifyReply> {
  const { flow } = submitted;
  const method = recoveryMethodOf(deps, flow);
  const csrf = csrfOf(deps, request, reply, flow);
  // A code on a flow that recovered already is refused as before. A link token is not looked at
  // so: Kratos's recoveryUseToken checks no state, so the flow's spent link (clicked again) is
  // "invalid or already used" below, as any bad link.
  if (method === 'code' && flow.state === 'passed_challenge') {
    return save(deps, request, reply, flow, 'fix', {
      nodes: withoutNodeMessages(flow.ui.nodes),
      messages: [uiText(Msg.ErrorValidationRecoveryRetrySuccess)],
    });
  }
  // Typed codes count against the flow's tries; link tokens do not (see redeemOneTimeSecret).
  const result = await redeemOneTimeSecret(
    deps,
    { kind: 'recovery', method, flowId: flow.id },
    submitted.secret,
  );
  // As Kratos's recoveryUseCode once the flow's tries are spent (ErrCodeSubmittedTooOften): a
  // new flow saying so, where the person asks for a new code.
  if (!result.ok && result.reason === 'too_many') {
    return retryRecovery(deps, request, reply, flow, {
      type: flow.type,
      messages: { form: [uiText(Msg.ErrorValidationGeneric, { reason: SUBMITTED_TOO_OFTEN })] },
      strategy: 'code',
    });
  }
  // The flow's own code or link, past its time: Kratos's RecoveryCode.Validate and
  // RecoveryToken.Valid give flow.ExpiredError, which the strategies answer with a new flow saying
  // 4060005 — recoveryUseCode one of the flow's type (retryRecoveryFlow), recoveryUseToken a
  // browser flow whose UI every client is sent to (retryRecoveryFlowWithError).
  if (!result.ok && result.reason === 'expired') {
    return retryRecovery(
      deps,
      request,
      reply,
      flow,
      strategyRetry(flow, method, {
        form: [
          uiText(Msg.ErrorValidationRecoveryFlowExpired, { expired_at: result.expiredAt, now: deps.now() }),
        ],
      }),
    );
  }
  const identity = result.ok ? await recoverableIdentity(deps, result) : undefined;
  const sentAddress = typeof flow.internal.address === 'string' ? flow.internal.address : '';
  /** The form the code was sent from (or the link's flow), again, with `messages`. */
  const sentFormAgain = (outcome: 'fix' | 'next', messages: UiText[]) =>
    save(deps, request, reply, flow, outcome, {
      nodes: recoverySentForm(method, flow.type, csrf, sentAddress).nodes,
      messages,
    });
  if (!result.ok || identity === undefined) {
    // As Kratos's recoveryUseToken (UseRecoveryToken finds no row): a bad or used link, or one
    // whose address is gone, gives a new browser flow saying 4060004, whose UI every client is
    // sent to; the link's flow is left as it was.
    if (method === 'link') {
      return retryRecovery(
        deps,
        request,
        reply,
        flow,
        strategyRetry(flow, method, { form: [uiText(Msg.ErrorValidationRecoveryTokenInvalidOrAlreadyUsed)] }),
      );
    }
    // As Kratos's recoveryUseCode: a wrong or used code answers the flow, with 4060006, as 200
    // (a browser form goes back to the UI either way). A code whose address or identity is gone
    // gets exactly this answer: in Kratos it no longer exists, and telling it apart would say the
    // code had been right.
    return sentFormAgain('next', [uiText(Msg.ErrorValidationRecoveryCodeInvalidOrAlreadyUsed)]);
  }
  // The right secret for a disabled identity: told so (4010011), as login tells the right
  // password; Kratos's session activation refuses it there too (ErrIdentityDisabled).
  if (identity.state !== 'active') return sentFormAgain('fix', [identityDisabledText()]);
  // Someone else signed in here: recovering would silently swap this browser's account.
  const current = await signedInIdentity(deps, request);
  if (current !== undefined && current !== identity.id) throw sessionAlreadyAvailable('recovery');
  return recovered(
    deps,
    request,
    reply,
    { flow, identity, address: result.address, method, transientPayload: submitted.transientPayload },
    (messages) => sentFormAgain('fix', messages),
  );
}

/**
 * The identity a redeemed code or link recovers, unless the secret died with the address it was
 * mailed to. As Kratos, whose self-service recovery codes and tokens reference that recovery
 * address (identity_recovery_codes / identity_recovery_tokens.identity_recovery_address_id, ON
 * DELETE CASCADE) and the identity: an address removed since — changed in settings, replaced by
 * an admin — takes its pending secrets with it, so a message sitting in a mailbox the person gave
 * up no longer opens the account. Identity writes keep the row of an address that stays (see
 * reconcileRecoveryAddresses), as Kratos's diffing update does, so such a secret lives on; one
 * removed and added back is matched by its value here, where Kratos's new row would not match.
 * Secrets an admin issued name no address (Kratos stores them with none: RecoveryCodeTypeAdmin,
 * RecoveryTokenTypeAdmin) and live as long as the identity.
 */
async function recoverableIdentity(
  deps: RecoveryDeps,
  redeemed: { identityId: string; address: string },
): Promise<Identity | undefined> {
  const identity = await deps.identityById(redeemed.identityId);
  if (identity === undefined || redeemed.address === '') return identity;
  return identity.recovery_addresses.some((a) => a.value === redeemed.address) ? identity : undefined;
}

async function signedInIdentity(deps: RecoveryDeps, request: FastifyRequest): Promise<string | undefined> {
  const token = sessionTokenFrom(request, deps.tokens);
  if (token === undefined) return undefined;
  return (await deps.sessions.authenticate(token))?.session.identityId;
}

/** What a right secret recovers: the identity, the address it was sent to, and the step. */
interface Recovered {
  flow: SelfServiceFlow;
  identity: Identity;
  address: string;
  method: CodeMethod;
  transientPayload: JsonObject | undefined;
}

/** The secret was right: sign the person in (privileged) and continue to settings. */
async function recovered(
  deps: RecoveryDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  recovery: Recovered,
  /** Shows the flow's form again with these messages (the identity turned out disabled). */
  refuse: (messages: UiText[]) => Promise<FastifyReply>,
): Promise<FastifyReply> {
  const { flow, identity, address, method } = recovery;
  const now = deps.now();
  // Answered as to a browser: a browser flow, or a link whatever its flow's type. As Kratos's
  // link strategy (recoveryIssueSession with flow.TypeBrowser), a link signs a browser in with a
  // cookie and sends it to settings, so a native flow's session token never lands in a web page
  // (or in a mail scanner's prefetch).
  const inBrowser = flow.type === 'browser' || method === 'link';
  // Receiving the message proves the address is the person's: it counts as verified.
  if (address !== '' && (await deps.addresses.markVerified(identity.id, address, now))) {
    await deps.sessions.identityChanged(identity.id, await deps.identityById(identity.id));
  }
  let issued: IssuedSession | WebHookRefusal;
  try {
    issued = await issueRecoverySession(deps, request, recovery);
  } catch (error) {
    // Deactivated while the session was stored (the manager revoked it): as found before.
    const disabled = identityDisabledMessages(error);
    if (disabled === undefined) throw error;
    return refuse(disabled);
  }
  if (issued instanceof WebHookRefusal) {
    // As Kratos's recoveryIssueSession (PostRecoveryHook's error to the strategy's retry): a new
    // flow carrying the refusal's messages; for a link, a browser flow whose UI every client is
    // sent to.
    return retryRecovery(
      deps,
      request,
      reply,
      flow,
      strategyRetry(flow, method, { form: issued.form, fields: issued.fields }),
    );
  }
  // `revoke_active_sessions`, as Kratos's SessionDestroyer: whoever else was signed in (the
  // person who took the account over, say) is signed out; the session just issued stays. After
  // the web hooks, as for login: a recovery they deny signs nobody out.
  if (deps.config.recovery.after.hooks(method).some((hook) => hook.hook === 'revoke_active_sessions')) {
    await deps.sessions.revokeIdentitySessions(identity.id, issued.session.id);
  }
  // A new CSRF secret with the new session, as after login: one planted before is worth nothing.
  const secret = inBrowser ? rotateCsrfSecret(reply, deps.cookies) : undefined;
  const privilegedUntil = new Date(
    issued.session.authenticated_at.getTime() + deps.config.settings.privilegedSessionMaxAgeMs,
  );
  const recoveredText = uiText(Msg.InfoSelfServiceRecoverySuccessful, {
    privileged_session_expires_at: privilegedUntil,
    now,
  });
  // As Kratos's recoveryIssueSession: the settings form says how long the person may change their
  // password, and saving it leads on to the recovery flow's return_to, else to
  // `recovery.after.default_browser_return_url`.
  const settings = await deps.startSettings({
    type: inBrowser ? 'browser' : flow.type,
    identity,
    requestUrl: flow.request_url,
    returnTo: flow.return_to ?? deps.config.recovery.afterReturnUrl ?? null,
    notice: [recoveredText],
    ...(secret === undefined ? {} : { csrfToken: csrfTokenFor(secret), csrfBinding: csrfBinding(secret) }),
  });
  const settingsUrl = flowUiUrl(deps.config.settings.uiUrl, settings.id);
  const passed: SelfServiceFlow = {
    ...flow,
    state: 'passed_challenge',
    active: method,
    ui: {
      ...flow.ui,
      nodes: withCsrf(
        flow.type,
        flow.type === 'browser' && secret !== undefined ? csrfTokenFor(secret) : undefined,
        [],
      ),
      messages: [recoveredText],
    },
    updated_at: now,
  };
  await deps.flows.update(passed);

  if (!inBrowser) {
    return reply.send({
      ...serializeFlow(passed),
      continue_with: continueWithJson([
        { action: 'set_ory_session_token', ory_session_token: issued.token },
        { action: 'show_settings_ui', flow: { id: settings.id, url: settingsUrl } },
      ]),
    });
  }
  setSessionCookie(reply, issued, deps.cookies);
  if (wantsJson(request)) throw new BrowserLocationChangeRequired(settingsUrl);
  return reply.redirect(settingsUrl, 303);
}

/**
 * The recovered identity's session, stored only once `recovery.after.hooks` passed: as Kratos's
 * recoveryIssueSession, which runs PostRecoveryHook on the session before it persists it, so a
 * web hook can refuse a recovery (a flagged account, an out-of-band check). The hooks run in
 * config order on the session about to be stored (`ctx.session`); the first failing one stops
 * the rest. A refusal with messages (`response.parse` or `can_interrupt`, 4xx) is returned for
 * the flow to show; any other failure is thrown (502/504), as Kratos's error handler forwards it.
 */
async function issueRecoverySession(
  deps: RecoveryDeps,
  request: FastifyRequest,
  { flow, identity, method, transientPayload }: Recovered,
): Promise<IssuedSession | WebHookRefusal> {
  const now = deps.now();
  // What the hooks see as `ctx.flow`: the flow as Kratos hands it to them, challenge passed, with
  // the step's `transient_payload`.
  const passing: SelfServiceFlow = { ...flow, state: 'passed_challenge', active: method, updated_at: now };
  const runHooks = async (draft: IssuedSession): Promise<void> => {
    const failed = await deps.hooks?.mustPass('recovery', method, request, passing, async () => ({
      identity: await deps.identityJson(identity.id, 'hooks'),
      session: deps.sessions.toJson(draft.session, identity),
      transientPayload,
    }));
    if (failed) throw failed;
  };
  const input = {
    methods: [
      {
        method: method === 'code' ? ('code_recovery' as const) : ('link_recovery' as const),
        aal: 'aal1' as const,
        completed_at: now,
      },
    ],
    aal: 'aal1' as const,
    device: requestDevice(request, requestClientIp(request, deps.trustedProxies) ?? null),
  };
  try {
    return await deps.sessions.issue(identity, input, runHooks);
  } catch (error) {
    if (error instanceof WebHookRefusal) return error;
    throw error;
  }
}

function csrfOf(
  deps: RecoveryDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
): string | undefined {
  return flow.type === 'browser' ? csrfTokenFor(ensureCsrfSecret(request, reply, deps.cookies)) : undefined;
}

function save(
  deps: RecoveryDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  outcome: 'fix' | 'next',
  ui: { nodes: SelfServiceFlow['ui']['nodes']; messages?: SelfServiceFlow['ui']['messages'] },
): Promise<FastifyReply> {
  return saveFlowUi(
    { flows: deps.flows, uiUrl: deps.config.recovery.uiUrl, now: deps.now },
    request,
    reply,
    flow,
    { outcome, active: recoveryMethodOf(deps, flow), ...ui },
  );
}

function expired(
  deps: RecoveryDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
): Promise<FastifyReply> {
  return replaceExpiredWithSuccessor(deps, deps.config.recovery.uiUrl, request, reply, flow, (input) =>
    createRecoveryFlow(deps, input),
  );
}
