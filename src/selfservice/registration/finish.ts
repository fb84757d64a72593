import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CreateIdentityBody } from '../../identity/bodies.js';
import type { Identity, JsonObject } from '../../identity/model.js';
import { serializeIdentity } from '../../identity/serialize.js';
import { requestClientIp } from '../../ratelimit/index.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { rotateCsrfSecret, setSessionCookie, wantsJson } from '../flow/http-context.js';
import type { UiText } from '../flow/messages.js';
import { requestDevice } from '../flow/request-device.js';
import { type ContinueWith, continueWithJson } from '../flow/respond.js';
import { exchangeRedirect } from '../flow/token-exchange.js';
import { applyIdentityPatch, draftIdentityJson } from '../hooks/identity-patch.js';
import { identityDisabledMessages } from '../identity-disabled.js';
import { acceptSignIn } from '../login/oauth2-flow.js';
import { showVerificationItems } from '../verification/send-on-change.js';
import type { RegistrationDeps } from './deps.js';

/** A new identity a method validated, and how to answer when it cannot be saved. */
export interface RegistrationDraft {
  body: CreateIdentityBody;
  method: 'password' | 'oidc';
  /** For `oidc`: the provider's id, recorded in the session's authentication methods. */
  provider?: string;
  transientPayload: JsonObject | undefined;
  /** Shows the method's form again with these messages (a parse hook refused). */
  refuse(fields: Record<string, UiText[]>, form: UiText[]): Promise<FastifyReply>;
  /**
   * How to answer an error of saving the identity that is the person's to fix (a taken
   * identifier: 409), or undefined to let it fail the request. Decided at once, the answer sent
   * only when called: an awaited reply resolves to undefined (a FastifyReply is thenable), so a
   * promise of "the answer or undefined" could not tell a sent answer from none.
   */
  onCreateError(error: unknown, body: CreateIdentityBody): (() => Promise<FastifyReply>) | undefined;
}

/**
 * What every registration method does with a valid new identity, in Kratos's order: parse hooks
 * (which may change it or stop here), saving it, the `session` hook, the other hooks, the
 * verification message, and the answer.
 */
export async function finishRegistration(
  deps: RegistrationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  draft: RegistrationDraft,
): Promise<FastifyReply> {
  const { method, transientPayload } = draft;
  const now = deps.now();
  let body = draft.body;
  if (deps.hooks) {
    const proposed = body;
    const pre = await deps.hooks.prePersist('registration', method, request, flow, () => ({
      identity: draftIdentityJson(proposed),
      transientPayload,
    }));
    if (pre.kind === 'failed') throw pre.error;
    if (pre.kind === 'validation') return draft.refuse(pre.fields, pre.form);
    for (const patch of pre.patches) body = applyIdentityPatch(body, patch);
  }

  let identity: Identity;
  try {
    identity = await deps.identities.create(body);
  } catch (error) {
    const answer = draft.onCreateError(error, body);
    if (answer === undefined) throw error;
    return answer();
  }

  // After-registration hooks: `session` signs the person in.
  const hooks = deps.config.registration.after.hooks(method);
  let issued: Awaited<ReturnType<typeof deps.sessions.issue>> | undefined;
  if (hooks.some((hook) => hook.hook === 'session')) {
    try {
      issued = await deps.sessions.issue(identity, {
        methods: [
          {
            method,
            aal: 'aal1',
            completed_at: now,
            ...(draft.provider === undefined ? {} : { provider: draft.provider }),
          },
        ],
        aal: 'aal1',
        device: requestDevice(request, requestClientIp(request, deps.trustedProxies) ?? null),
      });
    } catch (error) {
      // An admin deactivated the new identity while its session was stored (the manager revoked
      // it): the form says so, as the login form does, rather than a bare 401.
      const disabled = identityDisabledMessages(error);
      if (disabled === undefined) throw error;
      return draft.refuse({}, disabled);
    }
  }
  await deps.flows.updateState({ id: flow.id, state: 'passed_challenge', active: method, updated_at: now });

  // The other web hooks see what was saved; their failures undo nothing.
  await deps.hooks?.postPersist('registration', method, request, flow, () => ({
    identity: serializeIdentity(identity, {
      admin: true,
      schemaUrl: deps.schemas.schemaUrl(identity.schema_id),
    }),
    ...(issued ? { session: deps.sessions.toJson(issued.session, identity) } : {}),
    transientPayload,
  }));

  // With verification enabled, the new unverified addresses get their verification message
  // (Kratos's Verifier, which its registry runs first of the post-persist hooks).
  const legacy = deps.config.featureFlags.legacyContinueWithVerificationUi;
  const started =
    (await deps.verification?.start(
      identity,
      identity.verifiable_addresses.filter((a) => !a.verified).map((a) => a.value),
      {
        type: flow.type,
        requestUrl: flow.request_url,
        transientPayload,
        clientIp: requestClientIp(request, deps.trustedProxies),
      },
      { each: legacy },
    )) ?? [];
  // Kratos master lists them only for the `show_verification_ui` hook (or the legacy flag).
  const showUi = hooks.some((hook) => hook.hook === 'show_verification_ui');
  const showVerification = showVerificationItems(started, { legacy, hook: showUi });

  const identityJson = serializeIdentity(identity, {
    admin: false,
    schemaUrl: deps.schemas.schemaUrl(identity.schema_id),
  });
  const sessionJson = issued ? deps.sessions.toJson(issued.session, identity) : undefined;
  // Finished in the system browser for a native app: the token waits for the app's exchange.
  const exchanged = await exchangeRedirect(deps, request, flow, issued?.token);
  if (exchanged !== undefined) return reply.redirect(exchanged, 303);
  if (flow.type === 'api') {
    // Kratos's order: its verifier runs first of the post-persist hooks (the registry inserts it
    // at 0), then the session hook adds the token.
    const continueWith: ContinueWith[] = [
      ...showVerification,
      ...(issued ? [{ action: 'set_ory_session_token', ory_session_token: issued.token } as const] : []),
    ];
    return reply.send({
      identity: identityJson,
      ...(issued ? { session: sessionJson, session_token: issued.token } : {}),
      continue_with: continueWithJson(continueWith),
    });
  }
  if (issued) {
    setSessionCookie(reply, issued, deps.cookies);
    rotateCsrfSecret(reply, deps.cookies);
  }
  const returnTo = flow.return_to ?? deps.config.registration.after.returnUrl(method);
  if (wantsJson(request)) {
    // Serving an Ory Hydra login, the session hook accepts it and Hydra replaces the redirect,
    // unless a verification UI comes first (Kratos's SessionIssuer.acceptLoginChallenge).
    const toHydra =
      issued && showVerification.length === 0
        ? await acceptSignIn(deps.oauth2Provider, flow, issued)
        : undefined;
    return reply.send({
      identity: identityJson,
      ...(sessionJson ? { session: sessionJson } : {}),
      // Kratos's PostRegistrationHook adds the redirect before any post-persist hook runs.
      continue_with: continueWithJson(
        toHydra === undefined
          ? [{ action: 'redirect_browser_to', redirect_browser_to: returnTo }, ...showVerification]
          : [...showVerification, { action: 'redirect_browser_to', redirect_browser_to: toHydra }],
      ),
    });
  }
  // The `show_verification_ui` hook sends the browser to the code form instead of return_to: the
  // last flow started, which Kratos's hook reads from the registration's internal context. As in
  // Kratos it wins over an Ory Hydra login the flow serves: Hydra is then not told.
  const shown = started.at(-1);
  if (showUi && shown !== undefined) return reply.redirect(shown.uiUrl, 303);
  const toHydra = issued ? await acceptSignIn(deps.oauth2Provider, flow, issued) : undefined;
  return reply.redirect(toHydra ?? returnTo, 303);
}
