import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HookConfig } from '../../config/areas/selfservice.js';
import type { Identity, JsonObject } from '../../identity/model.js';
import { serializeIdentity } from '../../identity/serialize.js';
import { type AppError, internalError, statusText } from '../../kernel/errors.js';
import type { Authenticated, IssuedSession } from '../../session/manager.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { identityMismatch } from '../flow/flow-errors.js';
import { rotateCsrfSecret, setSessionCookie, wantsJson } from '../flow/http-context.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';
import { requestDevice } from '../flow/request-device.js';
import { type ContinueWith, continueWithJson } from '../flow/respond.js';
import { exchangeRedirect } from '../flow/token-exchange.js';
import { WebHookRefusal } from '../hooks/runner.js';
import { identityDisabledMessages } from '../identity-disabled.js';
import { withoutNodeMessages } from '../nodes/index.js';
import { linkPendingProvider } from '../strategies/oidc/linking.js';
import { type StartedVerification, showVerificationItems } from '../verification/send-on-change.js';
import type { LoginDeps } from './deps.js';
import { showLoginFormAgain } from './form-again.js';
import { acceptSignIn, sendBrowserToHydra } from './oauth2-flow.js';

/** A person the method authenticated, and how. */
export interface LoginSuccess {
  identity: Identity;
  method: 'password' | 'oidc';
  /** For `oidc`: the provider's id, recorded in the session's authentication methods. */
  provider?: string;
  /** The session a `refresh=true` login re-authenticates. */
  current: Authenticated | undefined;
  transientPayload: JsonObject | undefined;
  ip: string | null;
  /** Shows the method's form again with these messages (a hook or a check refused). */
  refuse(fields: Record<string, UiText[]>, form: UiText[]): Promise<FastifyReply>;
}

/**
 * What every login method does once it knows who signed in, in Kratos's order: the refresh
 * identity check, `require_verified_address`, parse hooks, a provider waiting to be linked
 * (account linking), the flow's completion (once), the other hooks on the session about to be
 * stored (any may deny it), the session, `revoke_active_sessions`, the `verification` hook, and
 * the answer. Should the session fail after the flow completed, the person starts a new flow
 * (4010007 on this one).
 */
export async function finishLogin(
  deps: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  success: LoginSuccess,
): Promise<FastifyReply> {
  const { identity, method, current, transientPayload } = success;
  const now = deps.now();
  // A refresh re-authenticates the person already signed in, never someone else.
  if (current && current.session.identityId !== identity.id) throw identityMismatch();
  const hooks = deps.config.login.after.hooks(method);
  if (hooks.some((hook) => hook.hook === 'require_verified_address')) {
    // The outcome, not a reply: an awaited FastifyReply resolves to undefined (it is thenable).
    const unverified = await requireVerifiedAddress(deps, flow, success);
    if (unverified !== undefined) return refuseUnverified(request, reply, flow, success, unverified);
  }
  // Account linking: this login proves the person owns the account a provider's email matched.
  const linked = await linkPendingProvider(deps, flow, identity);
  if (linked.kind === 'mismatch') {
    return success.refuse({}, [uiText(Msg.ErrorValidationLoginLinkedCredentialsDoNotMatch)]);
  }
  const signedIn = linked.kind === 'linked' ? linked.identity : identity;
  // The flow completes once: of submissions racing on it, only the one that moves it on gets a
  // session; the others are told it was completed (4010007), as a later one is.
  const claimed = await deps.flows.updateState({
    id: flow.id,
    state: 'passed_challenge',
    active: method,
    updated_at: now,
  });
  if (!claimed) {
    // Shown on the flow as it now is (completed): writing it back as read would undo that.
    const completedFlow = { ...flow, state: 'passed_challenge', active: method };
    return showLoginFormAgain(
      deps,
      request,
      reply,
      completedFlow,
      { nodes: withoutNodeMessages(flow.ui.nodes), messages: [uiText(Msg.ErrorValidationLoginRetrySuccess)] },
      method,
    );
  }
  const completed = {
    methods: [
      {
        method,
        aal: 'aal1' as const,
        completed_at: now,
        ...(success.provider === undefined ? {} : { provider: success.provider }),
      },
    ],
    aal: 'aal1' as const,
  };
  // A refresh re-authenticates the session it was asked for, as Kratos: same id and token (a
  // native app keeps the token it holds), the method appended, authenticated and valid from now.
  // Should that session have ended meanwhile, the person gets a new one.
  const signIn = {
    ...completed,
    device: requestDevice(request, success.ip),
  };
  const currentToken = current === undefined ? undefined : sessionTokenFrom(request, deps.tokens);
  // Every web hook, parse ones included (whose identity changes apply to registration and
  // settings only), sees the session about to be stored, in config order, and a failing one denies
  // the sign-in before it is: Kratos runs every login hook on that session before it writes it.
  const runHooks = async (draft: IssuedSession) => {
    const failed = await deps.hooks?.mustPass('login', method, request, flow, () => ({
      identity: serializeIdentity(signedIn, { admin: true, schemaUrl: deps.schemaUrl(signedIn.schema_id) }),
      session: deps.sessions.toJson(draft.session, signedIn),
      transientPayload,
    }));
    if (failed) throw failed;
  };
  let refreshed: IssuedSession | undefined;
  let issued: IssuedSession;
  try {
    refreshed =
      currentToken === undefined
        ? undefined
        : await deps.sessions.reauthenticate(currentToken, signIn, runHooks);
    issued = refreshed ?? (await deps.sessions.issue(signedIn, signIn, runHooks));
  } catch (error) {
    // A hook's 4xx with messages (parse or can_interrupt): shown on the form, as Kratos's
    // HandleHookError shows a login hook's validation error. Writing the flow back as read gives
    // up its claim above, which no session came of.
    if (error instanceof WebHookRefusal) return success.refuse(error.fields, [...error.form]);
    // Deactivated while the session was stored (the manager revoked it): the form says so, as
    // for an identity found inactive before. Writing the flow back as read gives up its claim
    // above, which no session came of, so it can be submitted again once the account is active.
    const disabled = identityDisabledMessages(error);
    if (disabled === undefined) throw error;
    return success.refuse({}, disabled);
  }
  // After the hooks: a sign-in they deny signs nobody out elsewhere, nor mails anyone.
  for (const hook of hooks) {
    if (hook.hook === 'revoke_active_sessions')
      await deps.sessions.revokeIdentitySessions(signedIn.id, issued.session.id);
  }
  const verification = await verifyAfterLogin(deps, flow, signedIn, hooks, {
    transientPayload,
    clientIp: success.ip ?? undefined,
  });
  const sessionJson = deps.sessions.toJson(issued.session, signedIn);
  if (flow.type === 'api') {
    // Finished in the system browser for a native app: the token waits for the app's exchange.
    const exchanged = await exchangeRedirect(deps, request, flow, issued.token);
    if (exchanged !== undefined) return reply.redirect(exchanged, 303);
    // `identity` beside the session, as the registration answer carries it: the tracker's native
    // contract is {session, session_token, identity}. Kratos's own answer lacks it, and its SDK
    // types ignore the extra field, so Kratos clients are unaffected.
    return reply.send({
      session: sessionJson,
      session_token: issued.token,
      identity: sessionJson.identity,
      ...(verification.items.length > 0 ? { continue_with: continueWithJson(verification.items) } : {}),
    });
  }
  setSessionCookie(reply, issued, deps.cookies);
  // As Kratos's IssueCookie: a new CSRF secret only when the browser had no session before (or
  // one of another identity, refused above). A refresh of the same person's session keeps it,
  // so the flows this browser opened before (a settings flow waiting on the refresh) still submit.
  if (refreshed === undefined) rotateCsrfSecret(reply, deps.cookies);
  // Serving an Ory Hydra login: Hydra is told who signed in, and the browser goes back to it.
  const toHydra = await acceptSignIn(deps.oauth2Provider, flow, issued);
  if (toHydra !== undefined) return sendBrowserToHydra(request, reply, toHydra);
  const returnTo = flow.return_to ?? deps.config.login.after.returnUrl(method);
  if (wantsJson(request)) {
    // Kratos's PostLoginHook adds the redirect before any hook adds its items.
    const continueWith: ContinueWith[] = [
      { action: 'redirect_browser_to', redirect_browser_to: returnTo },
      ...verification.items,
    ];
    return reply.send({ session: sessionJson, continue_with: continueWithJson(continueWith) });
  }
  // The `show_verification_ui` hook sends the browser to the code form instead of return_to.
  return reply.redirect(verification.shown?.uiUrl ?? returnTo, 303);
}

/** Kratos's ErrAddressNotVerified (`text.ErrIDAddressNotVerified`). */
const ADDRESS_NOT_VERIFIED = {
  id: 'session_verified_address_required',
  message: 'your email or phone address is not yet verified',
  reason:
    "Your account's email or phone address are not verified yet. Please check your email or phone inbox or re-request verification.",
} as const;

/** Kratos's answer to an identity without any verifiable address (herodot.ErrMisconfiguration). */
function noVerifiableAddress(): AppError {
  return internalError(
    'A misconfiguration prevents login. Expected to find a verification address but this identity does not have one assigned.',
  );
}

/**
 * The `require_verified_address` hook, as Kratos master's AddressVerifier.ExecuteLoginPostHook:
 * one verified address is enough (undefined: the sign-in goes on); an identity without any
 * verifiable address is a misconfiguration (500). Otherwise a verification flow is started for
 * the first address and a code sent to it. With `feature_flags.legacy_require_verified_login_error`
 * it applies to the password method only and starts nothing (`not_verified`); so it does when
 * no flow can start (verification disabled, or no email address to send to), as Kratos answers
 * ErrAddressNotVerified when its loop finds no address.
 */
async function requireVerifiedAddress(
  deps: LoginDeps,
  flow: SelfServiceFlow,
  success: LoginSuccess,
): Promise<StartedVerification | 'not_verified' | undefined> {
  const legacy = deps.config.featureFlags.legacyRequireVerifiedLoginError;
  if (legacy && success.method !== 'password') return undefined;
  const addresses = success.identity.verifiable_addresses;
  if (addresses.length === 0) throw noVerifiableAddress();
  if (addresses.some((address) => address.verified)) return undefined;
  if (legacy) return 'not_verified';
  const [started] =
    (await deps.verification?.start(
      success.identity,
      addresses.map((address) => address.value),
      {
        type: flow.type,
        requestUrl: flow.request_url,
        transientPayload: success.transientPayload,
        clientIp: success.ip ?? undefined,
      },
      { each: false },
    )) ?? [];
  return started ?? 'not_verified';
}

/**
 * A sign-in `require_verified_address` stopped, no session issued: message 4000010 on the login
 * form (the legacy answer); or, with a verification flow started, 403
 * `session_verified_address_required` with the flow in `details.continue_with` for JSON clients
 * and native apps, and a 303 to the verification UI for browsers (Kratos's AddressVerifier).
 */
function refuseUnverified(
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  success: LoginSuccess,
  outcome: StartedVerification | 'not_verified',
): Promise<FastifyReply> | FastifyReply {
  if (outcome === 'not_verified') return success.refuse({}, [uiText(Msg.ErrorValidationAddressNotVerified)]);
  if (flow.type === 'browser' && !wantsJson(request)) return reply.redirect(outcome.uiUrl, 303);
  // The error keeps its own code (400) in the body while the answer is 403: Kratos writes
  // ErrAddressNotVerified with WriteErrorCode(403). Its flow URL is set for every flow type here.
  const show: ContinueWith = {
    action: 'show_verification_ui',
    flow: { id: outcome.flowId, verifiable_address: outcome.address, url: outcome.uiUrl },
  };
  return reply.code(403).send({
    error: {
      ...ADDRESS_NOT_VERIFIED,
      code: 400,
      status: statusText(400),
      details: { continue_with: continueWithJson([show]) },
    },
  });
}

/**
 * The login `verification` hook, as Kratos's Verifier.ExecuteLoginPostHook (for an AAL1 login
 * only): verification flows for the identity's unverified addresses, their messages sent, and
 * the `show_verification_ui` items (see showVerificationItems). `shown` is the flow the
 * `show_verification_ui` hook sends a browser to.
 */
async function verifyAfterLogin(
  deps: LoginDeps,
  flow: SelfServiceFlow,
  identity: Identity,
  hooks: readonly HookConfig[],
  request: { transientPayload: JsonObject | undefined; clientIp: string | undefined },
): Promise<{ items: ContinueWith[]; shown: StartedVerification | undefined }> {
  const { transientPayload, clientIp } = request;
  if (!hooks.some((hook) => hook.hook === 'verification') || flow.requested_aal !== 'aal1')
    return { items: [], shown: undefined };
  const legacy = deps.config.featureFlags.legacyContinueWithVerificationUi;
  const started =
    (await deps.verification?.start(
      identity,
      identity.verifiable_addresses.filter((address) => !address.verified).map((address) => address.value),
      { type: flow.type, requestUrl: flow.request_url, transientPayload, clientIp },
      { each: legacy },
    )) ?? [];
  const showUi = hooks.some((hook) => hook.hook === 'show_verification_ui');
  return {
    items: showVerificationItems(started, { legacy, hook: showUi }),
    shown: showUi ? started.at(-1) : undefined,
  };
}
