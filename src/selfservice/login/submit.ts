import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../identity/model.js';
import { normalizeIdentifierGraceful } from '../../identity/schema/index.js';
import { serializeIdentity } from '../../identity/serialize.js';
import { AppError, badRequest } from '../../kernel/errors.js';
import { clientIp } from '../../ratelimit/index.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import { isFlowExpired, type SelfServiceFlow } from '../flow/flow.js';
import { identityMismatch, sessionAlreadyAvailable, tooManyAttempts } from '../flow/flow-errors.js';
import { openSubmission, replaceExpiredFlow, saveFlowUi } from '../flow/flow-steps.js';
import {
  csrfTokenFor,
  ensureCsrfSecret,
  rotateCsrfSecret,
  setSessionCookie,
  wantsJson,
} from '../flow/http-context.js';
import { Msg, uiText } from '../flow/messages.js';
import { type ContinueWith, continueWithJson } from '../flow/respond.js';
import { withNodeMessages } from '../nodes/index.js';
import { authenticateWithPassword } from '../strategies/password/login.js';
import type { LoginDeps } from './deps.js';
import { createLoginFlow, loginFormNodes } from './flow.js';

/** `POST /self-service/login?flow=<id>` with the password method. */
export async function submitLogin(
  deps: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { flow, submission } = await openSubmission(deps, 'login', request);
  const now = deps.now();

  if (isFlowExpired(flow, now)) return expired(deps, request, reply, flow);
  if (flow.state === 'passed_challenge') {
    return fix(deps, request, reply, flow, {
      nodes: flow.ui.nodes,
      messages: [uiText(Msg.ErrorValidationLoginRetrySuccess)],
    });
  }

  const token = sessionTokenFrom(request, deps.tokens);
  const current = token === undefined ? undefined : await deps.sessions.authenticate(token);
  if (!flow.refresh && current) {
    if (flow.type === 'browser' && !wantsJson(request)) {
      return reply.redirect(flow.return_to ?? deps.config.login.after.returnUrl('password'), 303);
    }
    throw sessionAlreadyAvailable();
  }

  if (submission.method !== 'password') {
    throw badRequest(`The login method "${submission.method ?? ''}" is not supported; use "password".`);
  }
  const rawIdentifier = submission.field('identifier') ?? submission.field('password_identifier') ?? '';
  const password = submission.field('password') ?? '';
  const csrf =
    flow.type === 'browser' ? csrfTokenFor(ensureCsrfSecret(request, reply, deps.cookies)) : undefined;

  const missing: Record<string, ReturnType<typeof uiText>[]> = {};
  if (rawIdentifier.trim() === '')
    missing.identifier = [uiText(Msg.ErrorValidationRequired, { property: 'identifier' })];
  if (password === '') missing.password = [uiText(Msg.ErrorValidationRequired, { property: 'password' })];
  if (Object.keys(missing).length > 0) {
    return fix(deps, request, reply, flow, {
      nodes: withNodeMessages(loginFormNodes(deps, csrf, rawIdentifier), missing),
    });
  }

  const identifier = normalizeIdentifierGraceful(rawIdentifier);
  const subject = {
    identifier,
    ip: clientIp(
      { remoteAddress: request.socket.remoteAddress, xForwardedFor: request.headers['x-forwarded-for'] },
      deps.trustedProxies,
    ),
  };
  if (deps.throttle) {
    const decision = await deps.throttle.check(subject);
    if (!decision.allowed) {
      reply.header('Retry-After', String(decision.retryAfterSeconds));
      throw tooManyAttempts(decision.retryAfterSeconds);
    }
  }

  const result = await authenticateWithPassword(deps, { identifier, password });
  if (result.kind === 'unavailable') throw migrationHookUnavailable();
  if (result.kind !== 'authenticated' || result.identity.state !== 'active') {
    if (deps.throttle) await deps.throttle.recordFailure(subject);
    return fix(deps, request, reply, flow, {
      nodes: loginFormNodes(deps, csrf, rawIdentifier),
      messages: [uiText(Msg.ErrorValidationInvalidCredentials)],
    });
  }
  if (deps.throttle) await deps.throttle.recordSuccess(subject);

  const identity = result.identity;
  // A refresh re-authenticates the person already signed in, never someone else.
  if (current && current.session.identityId !== identity.id) throw identityMismatch();
  const hooks = deps.config.login.after.hooks('password');
  if (hooks.some((hook) => hook.hook === 'require_verified_address') && !hasVerifiedAddress(identity)) {
    return fix(deps, request, reply, flow, {
      nodes: loginFormNodes(deps, csrf, rawIdentifier),
      messages: [uiText(Msg.ErrorValidationAddressNotVerified)],
    });
  }
  const transientPayload = submission.transientPayload();
  const identityJson = () =>
    serializeIdentity(identity, { admin: true, schemaUrl: deps.schemaUrl(identity.schema_id) });
  if (deps.hooks) {
    // Parse hooks may stop the sign-in (their identity changes apply to registration and settings).
    const pre = await deps.hooks.prePersist('login', 'password', request, flow, () => ({
      identity: identityJson(),
      transientPayload,
    }));
    if (pre.kind === 'failed') throw pre.error;
    if (pre.kind === 'validation') {
      return fix(deps, request, reply, flow, {
        nodes: withNodeMessages(loginFormNodes(deps, csrf, rawIdentifier), pre.fields),
        messages: pre.form,
      });
    }
  }
  const issued = await deps.sessions.issue(identity, {
    methods: [{ method: 'password', aal: 'aal1', completed_at: now }],
    aal: 'aal1',
    device: { ipAddress: subject.ip ?? null, userAgent: request.headers['user-agent'] ?? null },
  });
  // The refreshed session replaces the one it re-authenticated.
  if (current) await deps.sessions.revoke(current.session.id);
  for (const hook of hooks) {
    if (hook.hook === 'revoke_active_sessions')
      await deps.sessions.revokeIdentitySessions(identity.id, issued.session.id);
  }
  await deps.flows.updateState({
    id: flow.id,
    state: 'passed_challenge',
    active: 'password',
    updated_at: now,
  });

  const sessionJson = deps.sessions.toJson(issued.session, identity);
  await deps.hooks?.postPersist('login', 'password', request, flow, () => ({
    identity: identityJson(),
    session: sessionJson,
    transientPayload,
  }));
  if (flow.type === 'api') {
    return reply.send({ session: sessionJson, session_token: issued.token });
  }
  setSessionCookie(reply, issued.token, deps.cookies);
  rotateCsrfSecret(reply, deps.cookies);
  const returnTo = flow.return_to ?? deps.config.login.after.returnUrl('password');
  if (wantsJson(request)) {
    const continueWith: ContinueWith[] = [{ action: 'redirect_browser_to', redirect_browser_to: returnTo }];
    return reply.send({ session: sessionJson, continue_with: continueWithJson(continueWith) });
  }
  return reply.redirect(returnTo, 303);
}

/** The password migration hook did not answer; nothing was decided, so no failure is counted. */
function migrationHookUnavailable(): AppError {
  return new AppError('bad_gateway', 502, 'A third-party upstream service responded improperly.', {
    reason: 'The password could not be checked right now. Please try again later.',
    exposeId: false,
  });
}

/**
 * The `require_verified_address` hook, as Kratos's: one verified address is enough (an identity
 * with none, for example a schema without verifiable traits, cannot pass).
 */
function hasVerifiedAddress(identity: Identity): boolean {
  return identity.verifiable_addresses.some((address) => address.verified);
}

function fix(
  deps: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  ui: { nodes: SelfServiceFlow['ui']['nodes']; messages?: SelfServiceFlow['ui']['messages'] },
): Promise<FastifyReply> {
  return saveFlowUi(
    { flows: deps.flows, uiUrl: deps.config.login.uiUrl, now: deps.now },
    request,
    reply,
    flow,
    {
      outcome: 'fix',
      active: 'password',
      ...ui,
    },
  );
}

/** An expired flow: a new one replaces it; browsers are sent to it, others told to use it. */
function expired(
  deps: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
): Promise<FastifyReply> {
  const context = { flows: deps.flows, uiUrl: deps.config.login.uiUrl, now: deps.now, cookies: deps.cookies };
  return replaceExpiredFlow(context, request, reply, flow, (csrf) =>
    createLoginFlow(deps, {
      type: flow.type,
      requestUrl: flow.request_url,
      returnTo: flow.return_to,
      refresh: flow.refresh,
      ...csrf,
    }),
  );
}
