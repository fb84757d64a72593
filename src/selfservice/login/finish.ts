import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity, JsonObject } from '../../identity/model.js';
import { serializeIdentity } from '../../identity/serialize.js';
import type { Authenticated, IssuedSession } from '../../session/manager.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { identityMismatch } from '../flow/flow-errors.js';
import { rotateCsrfSecret, setSessionCookie, wantsJson } from '../flow/http-context.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';
import { requestDevice } from '../flow/request-device.js';
import { type ContinueWith, continueWithJson } from '../flow/respond.js';
import { exchangeRedirect } from '../flow/token-exchange.js';
import { withoutNodeMessages } from '../nodes/index.js';
import { linkPendingProvider } from '../strategies/oidc/linking.js';
import type { LoginDeps } from './deps.js';
import { showLoginFormAgain } from './form-again.js';

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
 * stored (any may deny it), the session, `revoke_active_sessions`, and the answer. Should the
 * session fail after the flow completed, the person starts a new flow (4010007 on this one).
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
  if (hooks.some((hook) => hook.hook === 'require_verified_address') && !hasVerifiedAddress(identity)) {
    return success.refuse({}, [uiText(Msg.ErrorValidationAddressNotVerified)]);
  }
  const identityJson = () =>
    serializeIdentity(identity, { admin: true, schemaUrl: deps.schemaUrl(identity.schema_id) });
  if (deps.hooks) {
    // Parse hooks may stop the sign-in (their identity changes apply to registration and settings).
    const pre = await deps.hooks.prePersist('login', method, request, flow, () => ({
      identity: identityJson(),
      transientPayload,
    }));
    if (pre.kind === 'failed') throw pre.error;
    if (pre.kind === 'validation') return success.refuse(pre.fields, pre.form);
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
  // The other web hooks see the session about to be stored, and a failing one denies the
  // sign-in before it is: Kratos runs every login hook before it writes the session.
  const runHooks = async (draft: IssuedSession) => {
    const failed = await deps.hooks?.mustPass('login', method, request, flow, () => ({
      identity: serializeIdentity(signedIn, { admin: true, schemaUrl: deps.schemaUrl(signedIn.schema_id) }),
      session: deps.sessions.toJson(draft.session, signedIn),
      transientPayload,
    }));
    if (failed) throw failed;
  };
  const refreshed =
    currentToken === undefined
      ? undefined
      : await deps.sessions.reauthenticate(currentToken, signIn, runHooks);
  const issued = refreshed ?? (await deps.sessions.issue(signedIn, signIn, runHooks));
  // After the hooks: a sign-in they deny signs nobody out elsewhere.
  for (const hook of hooks) {
    if (hook.hook === 'revoke_active_sessions')
      await deps.sessions.revokeIdentitySessions(signedIn.id, issued.session.id);
  }
  const sessionJson = deps.sessions.toJson(issued.session, signedIn);
  if (flow.type === 'api') {
    // Finished in the system browser for a native app: the token waits for the app's exchange.
    const exchanged = await exchangeRedirect(deps, request, flow, issued.token);
    if (exchanged !== undefined) return reply.redirect(exchanged, 303);
    // `identity` beside the session, as the registration answer carries it: the tracker's native
    // contract is {session, session_token, identity}. Kratos's own answer lacks it, and its SDK
    // types ignore the extra field, so Kratos clients are unaffected.
    return reply.send({ session: sessionJson, session_token: issued.token, identity: sessionJson.identity });
  }
  setSessionCookie(reply, issued, deps.cookies);
  // As Kratos's IssueCookie: a new CSRF secret only when the browser had no session before (or
  // one of another identity, refused above). A refresh of the same person's session keeps it,
  // so the flows this browser opened before (a settings flow waiting on the refresh) still submit.
  if (refreshed === undefined) rotateCsrfSecret(reply, deps.cookies);
  const returnTo = flow.return_to ?? deps.config.login.after.returnUrl(method);
  if (wantsJson(request)) {
    const continueWith: ContinueWith[] = [{ action: 'redirect_browser_to', redirect_browser_to: returnTo }];
    return reply.send({ session: sessionJson, continue_with: continueWithJson(continueWith) });
  }
  return reply.redirect(returnTo, 303);
}

/**
 * The `require_verified_address` hook, as Kratos's: one verified address is enough (an identity
 * with none, for example a schema without verifiable traits, cannot pass).
 */
function hasVerifiedAddress(identity: Identity): boolean {
  return identity.verifiable_addresses.some((address) => address.verified);
}
