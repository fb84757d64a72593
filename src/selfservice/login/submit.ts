import type { FastifyReply, FastifyRequest } from 'fastify';
import { normalizeIdentifierGraceful } from '../../identity/schema/index.js';
import { requestClientIp } from '../../ratelimit/index.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import { isFlowExpired, type SelfServiceFlow } from '../flow/flow.js';
import {
  methodDisabled,
  sessionAlreadyAvailable,
  tooManyAttempts,
  tooManyAttemptsText,
} from '../flow/flow-errors.js';
import { checkSubmissionClient, readFlowSubmission, replaceExpiredFlow } from '../flow/flow-steps.js';
import { csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import { askedFlowSchema } from '../flow/identity-schema.js';
import { Msg, uiText } from '../flow/messages.js';
import { identityDisabledText } from '../identity-disabled.js';
import { IDENTIFIER_FIRST, withNodeMessages, withoutNodeMessages } from '../nodes/index.js';
import { submitOidcLogin } from '../strategies/oidc/login.js';
import { isOidcSubmission } from '../strategies/oidc/submission.js';
import { authenticateWithPassword } from '../strategies/password/login.js';
import type { LoginDeps } from './deps.js';
import { finishLogin } from './finish.js';
import { createLoginFlow } from './flow.js';
import { showLoginFormAgain } from './form-again.js';
import { loginFormAgain, submitIdentifier } from './identifier-first.js';
import { migrationContextFor } from './migration-context.js';

/** `POST /self-service/login?flow=<id>` with the password or the oidc method. */
export async function submitLogin(
  deps: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const opened = await readFlowSubmission(deps, 'login', request);
  const { flow, submission } = opened;
  const now = deps.now();

  // Signed in already, before the CSRF check as in Kratos: a form sent again after its sign-in
  // (whose CSRF secret rotated) is told so rather than refused with 403.
  const token = sessionTokenFrom(request, deps.tokens);
  const current = token === undefined ? undefined : await deps.sessions.authenticate(token);
  if (!flow.refresh && current) {
    if (flow.type === 'browser' && !wantsJson(request)) {
      return reply.redirect(flow.return_to ?? deps.config.login.after.returnUrl('password'), 303);
    }
    throw sessionAlreadyAvailable('login');
  }
  checkSubmissionClient(deps, request, opened);

  if (isFlowExpired(flow, now)) return expired(deps, request, reply, flow);
  if (flow.state === 'passed_challenge') {
    return showLoginFormAgain(deps, request, reply, flow, {
      nodes: withoutNodeMessages(flow.ui.nodes),
      messages: [uiText(Msg.ErrorValidationLoginRetrySuccess)],
    });
  }

  // As Kratos's password strategy (flow.MethodEnabledAndAllowed): a switched-off method is a 404.
  const disabled =
    (submission.method === 'password' && !deps.config.password.enabled) ||
    (submission.method === 'oidc' && deps.oidc === undefined);
  if (disabled) throw methodDisabled();
  if (isOidcSubmission(submission) && deps.oidc) {
    return submitOidcLogin(deps.oidc, request, reply, flow, submission, current);
  }
  const rawIdentifier = submission.field('identifier') ?? submission.field('password_identifier') ?? '';
  const csrf =
    flow.type === 'browser' ? csrfTokenFor(ensureCsrfSecret(request, reply, deps.cookies)) : undefined;
  // A refresh already knows who signs in: its form is the one-step one, whatever the style.
  if (submission.method === IDENTIFIER_FIRST && deps.identifierFirst && !flow.refresh) {
    return submitIdentifier(deps, deps.identifierFirst, request, reply, flow, {
      identifier: rawIdentifier,
      csrf,
    });
  }
  if (submission.method !== 'password') {
    // Kratos's NewNoLoginStrategyResponsible: the form again, saying no method took it.
    return showLoginFormAgain(deps, request, reply, flow, {
      nodes: withoutNodeMessages(flow.ui.nodes),
      messages: [uiText(Msg.ErrorValidationLoginNoStrategyFound)],
    });
  }
  const password = submission.field('password') ?? '';
  // The form again after a refused password: rebuilt for the unified style; an identifier-first
  // flow keeps its own step, as Kratos's password strategy keeps the flow's nodes.
  const formAgain = () => loginFormAgain(deps, flow, csrf, rawIdentifier);

  const missing: Record<string, ReturnType<typeof uiText>[]> = {};
  if (rawIdentifier.trim() === '')
    missing.identifier = [uiText(Msg.ErrorValidationRequired, { property: 'identifier' })];
  if (password === '') missing.password = [uiText(Msg.ErrorValidationRequired, { property: 'password' })];
  if (Object.keys(missing).length > 0) {
    return showLoginFormAgain(deps, request, reply, flow, {
      nodes: withNodeMessages(formAgain(), missing),
    });
  }

  const identifier = normalizeIdentifierGraceful(rawIdentifier);
  const subject = {
    identifier,
    ip: requestClientIp(request, deps.trustedProxies),
  };
  if (deps.throttle) {
    const decision = await deps.throttle.check(subject);
    if (!decision.allowed) {
      // A form post goes back to its form, identifier kept, as every other refusal does; API and
      // SPA clients get the 429 and Retry-After to act on.
      if (flow.type === 'browser' && !wantsJson(request)) {
        return showLoginFormAgain(deps, request, reply, flow, {
          nodes: formAgain(),
          messages: [tooManyAttemptsText(decision.retryAfterSeconds)],
        });
      }
      reply.header('Retry-After', String(decision.retryAfterSeconds));
      throw tooManyAttempts(decision.retryAfterSeconds);
    }
  }

  const result = await authenticateWithPassword(
    deps,
    { identifier, password },
    migrationContextFor(deps, request, flow, () => submission.transientPayload()),
  );
  // The migration hook could not decide: its error as Kratos's. The attempt stays counted (the
  // throttle's check counted it, and only a success takes it back), so an old system telling a
  // wrong password apart (a 401, say) is no unthrottled oracle.
  if (result.kind === 'migration_failed') throw result.error;
  if (result.kind !== 'authenticated' || result.identity.state !== 'active') {
    // Not a sign-in either way, so it counts as a failure. Only the right password learns that
    // the account is disabled (as in Kratos, 4010011); any other answer stays "invalid".
    if (deps.throttle) await deps.throttle.recordFailure(subject);
    return showLoginFormAgain(deps, request, reply, flow, {
      nodes: formAgain(),
      messages: [
        result.kind === 'authenticated'
          ? identityDisabledText()
          : uiText(Msg.ErrorValidationInvalidCredentials),
      ],
    });
  }
  if (deps.throttle) await deps.throttle.recordSuccess(subject);

  return finishLogin(deps, request, reply, flow, {
    identity: result.identity,
    method: 'password',
    current,
    transientPayload: submission.transientPayload(),
    ip: subject.ip ?? null,
    refuse: (fields, form) =>
      showLoginFormAgain(deps, request, reply, flow, {
        nodes: withNodeMessages(formAgain(), fields),
        messages: form,
      }),
  });
}

/** An expired flow: a new one replaces it; browsers are sent to it, others told to use it. */
async function expired(
  deps: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
): Promise<FastifyReply> {
  const context = {
    flows: deps.flows,
    uiUrl: deps.config.login.uiUrl,
    now: deps.now,
    cookies: deps.cookies,
    publicBase: deps.publicBase,
  };
  // The new flow is a refresh only if there still is a session to refresh (as at init).
  const token = flow.refresh ? sessionTokenFrom(request, deps.tokens) : undefined;
  const current = token === undefined ? undefined : await deps.sessions.authenticate(token);
  return replaceExpiredFlow(context, request, reply, flow, (replacement) =>
    createLoginFlow(deps, {
      type: flow.type,
      requestUrl: flow.request_url,
      returnTo: flow.return_to,
      refresh: current !== undefined,
      refreshIdentityId: current?.session.identityId,
      identitySchema: askedFlowSchema(flow),
      ...replacement,
    }),
  );
}
