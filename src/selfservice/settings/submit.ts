import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UpdateIdentityBody } from '../../identity/bodies.js';
import { IdentityChangedConcurrentlyError, IdentityDisabledError } from '../../identity/errors.js';
import type { Identity, JsonObject } from '../../identity/model.js';
import { serializeIdentity } from '../../identity/serialize.js';
import { isAppError } from '../../kernel/errors.js';
import { requestClientIp } from '../../ratelimit/index.js';
import { noActiveSession } from '../../session/errors.js';
import type { Authenticated } from '../../session/manager.js';
import { isFlowExpired, type SelfServiceFlow } from '../flow/flow.js';
import { checkSubmissionClient, readFlowSubmission, replaceExpiredFlow } from '../flow/flow-steps.js';
import { csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';
import { flowUiUrl } from '../flow/respond.js';
import type { Submission } from '../flow/submission.js';
import { uiContainer } from '../flow/ui.js';
import { applyIdentityPatchToUpdate } from '../hooks/identity-patch.js';
import type { IdentityPatch } from '../hooks/web-hook/response.js';
import { withNodeMessages } from '../nodes/index.js';
import { changeOidcLinks, isOidcSettingsSubmission } from '../strategies/oidc/settings.js';
import { updatePassword } from '../strategies/password/settings.js';
import { updateProfile } from '../strategies/profile/settings.js';
import { type SettingsMethod, settingsChange } from './change.js';
import { discardPausedChange, pauseSettingsChange, type SubmittedChange } from './continuity.js';
import type { SettingsDeps } from './deps.js';
import { INITIATED_BY_SOMEONE_ELSE, LastSignInMethodError, NeedsPrivilegedSessionError } from './errors.js';
import { createSettingsFlow, flowIdentityId, settingsFormNodes } from './flow.js';
import { afterSettings } from './hooks.js';
import { respondWithSettingsFlow } from './respond.js';
import { currentSession, isPrivileged, loginUrl, reauthenticationUrl } from './session.js';
import type { FieldMessages, SettingsChange } from './strategy.js';

/** What the person sees again after a refused submission. */
type Refusal = Extract<SettingsChange, { kind: 'invalid' }>;

/**
 * `POST /self-service/settings?flow=<id>` with the profile or password method, in Kratos's
 * order: the flow, the session, the flow's validity for that session (Kratos's `f.Valid`:
 * expired, another identity's), the client (CSRF token, no browser traits on api flows), the
 * method, then the change, the after-settings hooks and the answer.
 */
export async function submitSettings(
  deps: SettingsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const opened = await readFlowSubmission(deps, 'settings', request);
  const { flow, submission } = opened;
  const current = await currentSession(deps, request);
  if (!current) {
    if (flow.type === 'browser' && !wantsJson(request)) return reply.redirect(loginUrl(deps), 303);
    throw noActiveSession();
  }
  if (isFlowExpired(flow, deps.now())) return expired(deps, request, reply, flow, current);
  if (flowIdentityId(flow) !== current.session.identityId)
    return refuseFlowOfAnotherIdentity(deps, request, reply, flow, current);
  // As Kratos, whose strategies check the CSRF token only after the flow's validity.
  checkSubmissionClient(deps, request, opened);
  return applySettingsSubmission(deps, request, reply, {
    // A new submission supersedes a change paused earlier on this flow, as Kratos's next
    // submission deletes its container: replayed later, the old one would undo this one.
    flow: await discardPausedChange(deps, request, reply, flow),
    current,
    submission,
    submitted: {
      body: request.body,
      contentType: request.headers['content-type'],
      csrfToken: submission.csrfToken ?? headerText(request.headers['x-csrf-token']),
    },
  });
}

/**
 * A submission past the checks of the flow and the client, sent now or replayed after a
 * re-authentication (see resume.ts): the method, the change, the after-settings hooks and the
 * answer. A browser flow's change that needs a privileged session is paused for the
 * re-authentication (see continuity.ts), as Kratos's strategies do on `FlowNeedsReAuth`.
 */
export async function applySettingsSubmission(
  deps: SettingsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  context: {
    flow: SelfServiceFlow;
    current: Authenticated;
    submission: Submission;
    submitted: SubmittedChange;
  },
): Promise<FastifyReply> {
  const { flow, current, submission, submitted } = context;
  const identity = await deps.identities.get(current.session.identityId);
  const method = enabledMethod(deps, submission);
  if (method === undefined) {
    const messages = [uiText(Msg.ErrorValidationSettingsNoStrategyFound)];
    return refuseSettingsChange(
      deps,
      request,
      reply,
      { flow, identity, method: null },
      { kind: 'invalid', fields: {}, messages },
    );
  }

  let privileged: Promise<boolean> | undefined;
  const input = {
    identity,
    submission,
    body: submitted.body,
    privileged: () => {
      privileged ??= isPrivileged(deps, current.session.id);
      return privileged;
    },
  };
  let change: SettingsChange;
  if (method === 'oidc' && deps.oidc) {
    const outcome = await changeOidcLinks(deps.oidc, request, reply, flow, input);
    if (outcome.kind === 'answered') return outcome.reply;
    change = outcome.change;
  } else {
    change =
      method === 'profile'
        ? await updateProfile(deps, input)
        : await updatePassword(deps, { ...input, logger: request.log });
  }
  if (change.kind === 'needs_privilege') {
    // Native apps keep no cookies, so only browser flows (HTML forms and SPAs alike, as Kratos's
    // password and oidc strategies) can come back to a paused change.
    if (flow.type === 'browser') await pauseSettingsChange(deps, reply, flow, identity.id, submitted);
    const url = reauthenticationUrl(deps, flow);
    if (flow.type === 'browser' && !wantsJson(request)) return reply.redirect(url, 303);
    throw new NeedsPrivilegedSessionError(url);
  }
  if (change.kind === 'invalid')
    return refuseSettingsChange(deps, request, reply, { flow, identity, method }, change);
  return saveSettingsChange(
    deps,
    request,
    reply,
    { flow, identity, method, session: current, transientPayload: submission.transientPayload() },
    change.body,
  );
}

function headerText(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function enabledMethod(deps: SettingsDeps, submission: Submission): SettingsMethod | undefined {
  const method = submission.method;
  if (deps.oidc && isOidcSettingsSubmission(submission)) return 'oidc';
  if (method === 'profile' && deps.config.profile.enabled) return 'profile';
  if (method === 'password' && deps.config.password.enabled) return 'password';
  return undefined;
}

/**
 * Stores the change, shows the saved form (1050001), runs the hooks and answers. `proposed` is a
 * strategy's body, built from `context.identity`; only the method's part of it is written, onto
 * the identity as stored by then (see settingsChange).
 */
export async function saveSettingsChange(
  deps: SettingsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  context: {
    flow: SelfServiceFlow;
    identity: Identity;
    method: SettingsMethod;
    session: Authenticated;
    transientPayload: JsonObject | undefined;
  },
  proposed: UpdateIdentityBody,
): Promise<FastifyReply> {
  const { flow, identity, method } = context;
  // What the hooks see and a refused form shows: the proposal, with the hooks' changes.
  let body = proposed;
  const patches: IdentityPatch[] = [];
  const { transientPayload } = context;
  if (deps.hooks) {
    // Parse hooks see the identity as it is about to be saved: they may change it or stop here.
    const proposedBody = body;
    const pre = await deps.hooks.prePersist('settings', method, request, flow, () => ({
      identity: {
        ...serializeIdentity(identity, {
          admin: true,
          schemaUrl: deps.schemas.schemaUrl(identity.schema_id),
        }),
        // What will change, never the credentials (a new password is in the body).
        schema_id: proposedBody.schema_id,
        traits: proposedBody.traits,
        state: proposedBody.state,
        metadata_public: proposedBody.metadata_public ?? null,
        metadata_admin: proposedBody.metadata_admin ?? null,
      },
      transientPayload,
    }));
    if (pre.kind === 'failed') throw pre.error;
    if (pre.kind === 'validation') {
      return refuseSettingsChange(deps, request, reply, context, {
        kind: 'invalid',
        fields: pre.fields,
        messages: pre.form,
        traits: body.traits,
      });
    }
    for (const patch of pre.patches) {
      body = applyIdentityPatchToUpdate(body, patch);
      patches.push(patch);
    }
  }
  let after: Identity;
  try {
    after = await deps.identities.update(identity.id, settingsChange(method, identity, proposed, patches));
  } catch (error) {
    // Deactivated since the session was checked: its sessions ended, this request's too.
    if (error instanceof IdentityDisabledError) return signedOut(deps, request, reply, flow);
    const refusal = refusalFor(error, body);
    if (refusal === undefined) throw error;
    return refuseSettingsChange(deps, request, reply, context, refusal);
  }

  const saved: SelfServiceFlow = {
    ...flow,
    state: 'success',
    active: method,
    ui: uiContainer(
      flow.ui.action,
      settingsFormNodes(deps, after, csrfFor(deps, request, reply, flow), after.traits, flow.type),
      [uiText(Msg.InfoSelfServiceSettingsUpdateSuccess)],
    ),
    updated_at: deps.now(),
  };
  await deps.flows.update(saved);
  await deps.hooks?.postPersist('settings', method, request, saved, async () => {
    const stored = await deps.sessions.get(context.session.session.id);
    return {
      identity: serializeIdentity(after, { admin: true, schemaUrl: deps.schemas.schemaUrl(after.schema_id) }),
      ...(stored ? { session: deps.sessions.toJson(stored, after) } : {}),
      transientPayload,
    };
  });
  const continueWith = await afterSettings(deps, {
    method,
    flow: saved,
    before: identity,
    after,
    sessionId: context.session.session.id,
    transientPayload,
    clientIp: requestClientIp(request, deps.trustedProxies),
  });

  if (flow.type === 'api')
    return respondWithSettingsFlow(deps, request, reply, saved, after, { continueWith });
  const returnTo =
    flow.return_to ?? deps.afterReturnUrl(method) ?? flowUiUrl(deps.config.settings.uiUrl, flow.id);
  if (wantsJson(request)) {
    return respondWithSettingsFlow(deps, request, reply, saved, after, {
      continueWith: [...continueWith, { action: 'redirect_browser_to', redirect_browser_to: returnTo }],
    });
  }
  return reply.redirect(returnTo, 303);
}

/** The answer to a request whose session has ended: as to one without a session (see submitSettings). */
function signedOut(
  deps: SettingsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
): FastifyReply {
  if (flow.type === 'browser' && !wantsJson(request)) return reply.redirect(loginUrl(deps), 303);
  throw noActiveSession();
}

/** Errors of the identity store that are the person's to fix, as form messages. */
function refusalFor(error: unknown, body: UpdateIdentityBody): Refusal | undefined {
  // Other writes of the identity kept getting in first; nothing was saved, and trying again helps.
  if (error instanceof IdentityChangedConcurrentlyError) {
    const reason = error.reason ?? 'The account was changed at the same time; please try again.';
    return {
      kind: 'invalid',
      fields: {},
      messages: [uiText(Msg.ErrorSystemGeneric, { reason })],
      traits: body.traits,
    };
  }
  if (error instanceof LastSignInMethodError) {
    const reason = `The provider "${error.provider}" is your only way to sign in, so it cannot be unlinked.`;
    return { kind: 'invalid', fields: {}, messages: [uiText(Msg.ErrorValidationGeneric, { reason })] };
  }
  if (!isAppError(error)) return undefined;
  // Another identity has this identifier or address already.
  if (error.code === 409) {
    return {
      kind: 'invalid',
      fields: {},
      messages: [uiText(Msg.ErrorValidationDuplicateCredentials)],
      traits: body.traits,
    };
  }
  // With hashers.algorithm bcrypt, a password over 72 bytes cannot be hashed (4000033, as Kratos).
  if (error.id === 'password_too_long_for_hasher') {
    const actual = Number(error.details?.actual_length ?? 0);
    const fields: FieldMessages = {
      password: [uiText(Msg.ErrorValidationPasswordMaxLength, { max_length: 72, actual_length: actual })],
    };
    return { kind: 'invalid', fields };
  }
  return undefined;
}

/** The form again with messages, in state `show_form`: 400 with the flow, or 303 to the UI. */
export async function refuseSettingsChange(
  deps: SettingsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  context: { flow: SelfServiceFlow; identity: Identity; method: SettingsMethod | null },
  refusal: Refusal,
): Promise<FastifyReply> {
  const { flow, identity } = context;
  const csrf = csrfFor(deps, request, reply, flow);
  const nodes = withNodeMessages(
    settingsFormNodes(deps, identity, csrf, refusal.traits ?? identity.traits, flow.type),
    refusal.fields,
  );
  const messages: UiText[] | undefined = refusal.messages;
  const updated: SelfServiceFlow = {
    ...flow,
    state: 'show_form',
    active: context.method ?? flow.active,
    ui: uiContainer(flow.ui.action, nodes, messages),
    updated_at: deps.now(),
  };
  await deps.flows.update(updated);
  return respondWithSettingsFlow(deps, request, reply, updated, identity, { status: 400 });
}

/**
 * A submission to a flow another identity started (Kratos's `f.Valid` fails with a 400 whose
 * reason its error handler shows as the form message 4000001): 400 with the flow to JSON
 * clients and api flows, 303 to the settings UI for browsers, as Kratos's WriteFlowError. Unlike
 * Kratos, the owner's flow is left as it was, and the answer shows the form of the signed-in
 * identity and that identity, never the owner's traits.
 */
export async function refuseFlowOfAnotherIdentity(
  deps: SettingsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  current: Authenticated,
): Promise<FastifyReply> {
  const requester = await deps.identities.get(current.session.identityId);
  const csrf = csrfFor(deps, request, reply, flow);
  const shown: SelfServiceFlow = {
    ...flow,
    ui: uiContainer(flow.ui.action, settingsFormNodes(deps, requester, csrf, requester.traits, flow.type), [
      uiText(Msg.ErrorValidationGeneric, { reason: INITIATED_BY_SOMEONE_ELSE }),
    ]),
  };
  return respondWithSettingsFlow(deps, request, reply, shown, requester, { status: 400 });
}

function csrfFor(
  deps: SettingsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
): string | undefined {
  return flow.type === 'browser' ? csrfTokenFor(ensureCsrfSecret(request, reply, deps.cookies)) : undefined;
}

/**
 * An expired flow: a new one for the signed-in identity replaces it, saying why (4050001);
 * browsers are sent to it, other clients get 410 naming it (`use_flow_id`).
 */
async function expired(
  deps: SettingsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  current: Authenticated,
): Promise<FastifyReply> {
  const identity = await deps.identities.get(current.session.identityId);
  const context = {
    flows: deps.flows,
    uiUrl: deps.config.settings.uiUrl,
    now: deps.now,
    cookies: deps.cookies,
    publicBase: deps.publicBase,
  };
  return replaceExpiredFlow(context, request, reply, flow, (replacement) =>
    createSettingsFlow(deps, {
      type: flow.type,
      identity,
      requestUrl: flow.request_url,
      returnTo: flow.return_to,
      ...replacement,
    }),
  );
}
