import type { FastifyReply, FastifyRequest } from 'fastify';
import { internalError, isAppError } from '../../kernel/errors.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import { isFlowExpired, type SelfServiceFlow } from '../flow/flow.js';
import { methodDisabled, sessionAlreadyAvailable } from '../flow/flow-errors.js';
import {
  checkSubmissionClient,
  readFlowSubmission,
  replaceExpiredFlow,
  saveFlowUi,
} from '../flow/flow-steps.js';
import { csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import { askedFlowSchema, flowSchema } from '../flow/identity-schema.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';
import { isRegistrationCredentialStep, withNodeMessages, withoutNodeMessages } from '../nodes/index.js';
import { submitOidcRegistration } from '../strategies/oidc/registration.js';
import { isOidcSubmission } from '../strategies/oidc/submission.js';
import { validatePasswordForIdentifiers } from '../strategies/password/policy/index.js';
import type { RegistrationDeps } from './deps.js';
import { registrationDisabled } from './errors.js';
import { finishRegistration } from './finish.js';
import { createRegistrationFlow, registrationFormNodes } from './flow.js';
import { coerceFormTraits, withoutEmpty } from './form-values.js';
import { duplicateCredentialsMessage } from './login-hints.js';
import { type FieldMessages, traitFieldMessages } from './trait-messages.js';

/** `POST /self-service/registration?flow=<id>` with the password or the oidc method. */
export async function submitRegistration(
  deps: RegistrationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  // Switching registration off also stops flows that were started before.
  if (!deps.config.registration.enabled) throw registrationDisabled();
  const opened = await readFlowSubmission(deps, 'registration', request);
  const { flow, submission } = opened;
  const now = deps.now();
  // Signed in already, before the CSRF check as in Kratos (see readFlowSubmission).
  const token = sessionTokenFrom(request, deps.tokens);
  if (token !== undefined && (await deps.sessions.authenticate(token))) {
    if (flow.type === 'browser' && !wantsJson(request)) {
      return reply.redirect(flow.return_to ?? deps.config.registration.after.returnUrl('password'), 303);
    }
    throw sessionAlreadyAvailable('registration');
  }
  checkSubmissionClient(deps, request, opened);
  if (isFlowExpired(flow, now)) return expired(deps, request, reply, flow);
  if (flow.state === 'passed_challenge') {
    return fix(deps, request, reply, flow, withoutNodeMessages(flow.ui.nodes), [
      uiText(Msg.ErrorValidationRegistrationRetrySuccess),
    ]);
  }
  // As Kratos's password strategy (flow.MethodEnabledAndAllowed): a switched-off method is a 404.
  const disabled =
    (submission.method === 'password' && !deps.config.password.enabled) ||
    (submission.method === 'oidc' && deps.oidc === undefined);
  if (disabled) throw methodDisabled();
  const profileFirst = deps.config.registration.style === 'profile_first';
  const screen = submission.field('screen') ?? '';
  // Kratos's profile strategy (profile_first only) takes `method: profile`, the deprecated
  // `profile:back`, and any `screen` — the step-2 "Back" button sends `screen=previous` alone.
  const profileStep =
    profileFirst &&
    submission.method !== 'password' &&
    (submission.method === 'profile' || submission.method === 'profile:back' || screen !== '');
  if (isOidcSubmission(submission) && deps.oidc) {
    return submitOidcRegistration(deps.oidc, request, reply, flow, submission);
  }
  if (submission.method !== 'password' && !profileStep) {
    // Kratos's NewNoRegistrationStrategyResponsible: the form again, saying no method took it.
    return fix(deps, request, reply, flow, withoutNodeMessages(flow.ui.nodes), [
      uiText(Msg.ErrorValidationRegistrationNoStrategyFound),
    ]);
  }

  const asked = askedFlowSchema(flow);
  const schema = flowSchema(deps.flowSchemas, asked);
  let traits = submission.traits();
  if (submission.fromForm) traits = withoutEmpty(coerceFormTraits(schema.document, traits));
  const password = submission.field('password') ?? '';
  const csrf =
    flow.type === 'browser' ? csrfTokenFor(ensureCsrfSecret(request, reply, deps.cookies)) : undefined;
  // Errors of a password submission show the step the flow stands at, as Kratos's password
  // strategy writes them into the flow's stored form: profile_first's credentials step once the
  // traits were taken, else (also traits and password posted at once to a new flow) the first.
  const step =
    profileFirst && !profileStep && isRegistrationCredentialStep(flow.ui.nodes) ? 'password' : 'first';
  const refuse = (fields: FieldMessages, messages?: UiText[]) =>
    fix(
      deps,
      request,
      reply,
      flow,
      withNodeMessages(registrationFormNodes(deps, asked, csrf, traits, step), fields),
      messages,
    );

  // `screen=previous` (or `profile:back`) on the password step goes back to the traits.
  if (profileStep && (screen === 'previous' || submission.method === 'profile:back')) {
    return showStep(
      deps,
      request,
      reply,
      flow,
      flow.active,
      registrationFormNodes(deps, asked, csrf, traits, 'first'),
    );
  }

  // 1. The traits against the identity schema; every problem goes on its field.
  const validation = deps.schemas.validate(schema.id, traits);
  if (!validation) throw internalError(`The identity schema "${schema.id}" is not loaded.`);
  const passwordMissing = { password: [uiText(Msg.ErrorValidationRequired, { property: 'password' })] };
  if (!validation.ok) {
    const fields = traitFieldMessages(validation.errors);
    // As Kratos, which checks the whole body against its schema at once: a missing password is
    // told together with the traits' errors, not on the next try.
    if (!profileStep && password === '') Object.assign(fields, passwordMissing);
    return profileStep
      ? showStep(
          deps,
          request,
          reply,
          flow,
          'profile',
          withNodeMessages(registrationFormNodes(deps, asked, csrf, traits, 'first'), fields),
        )
      : refuse(fields);
  }
  // profile_first, first step done: ask for the password, carrying the traits along. As
  // Kratos's showCredentialsSelection, no method is active on the credential selection.
  if (profileStep) {
    return showStep(
      deps,
      request,
      reply,
      flow,
      null,
      registrationFormNodes(deps, asked, csrf, validation.traits, 'password'),
      deps.passwordStepMessages(),
    );
  }
  if (password === '') return refuse(passwordMissing);

  // 2. As Kratos's validateCredentials: a password needs a login identifier to sign in with
  // (4000009, NewMissingIdentifierError), and the policy is checked against each of them.
  const identifiers = validation.identifiers.password ?? [];
  if (identifiers.length === 0) return refuse({}, [uiText(Msg.ErrorValidationIdentifierMissing)]);
  const policy = await validatePasswordForIdentifiers(identifiers, password, deps.passwordPolicy, {
    breaches: deps.breaches,
    logger: request.log,
  });
  if (!policy.ok) {
    if (policy.kind === 'lookup_failed')
      throw internalError('The password breach lookup failed.', policy.error);
    return refuse({ password: [policy.reason.message] });
  }

  // 3. Parse hooks, the identity (a taken identifier is a form message), the hooks and the answer.
  return finishRegistration(deps, request, reply, flow, {
    body: {
      schema_id: schema.id,
      traits: validation.traits,
      credentials: { password: { config: { password } } },
    },
    method: 'password',
    transientPayload: submission.transientPayload(),
    refuse,
    onCreateError(error, body) {
      if (isAppError(error) && error.code === 409) {
        return async () => refuse({}, [await duplicateCredentialsMessage(deps, body)]);
      }
      // With hashers.algorithm bcrypt, Kratos answers an over-long password with 4000033 (72 bytes).
      if (isAppError(error) && error.id === 'password_too_long_for_hasher') {
        const actual = Number(error.details?.actual_length ?? 0);
        return () =>
          refuse({
            password: [
              uiText(Msg.ErrorValidationPasswordMaxLength, { max_length: 72, actual_length: actual }),
            ],
          });
      }
      return undefined;
    },
  });
}

/**
 * A profile_first step move (on to the credentials, or back to the traits): as Kratos, the flow
 * with 400 for JSON clients (Ory Elements reads a 2xx as a finished sign-up) and a 303 to the UI
 * for browsers.
 */
function showStep(
  deps: RegistrationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  active: string | null,
  nodes: SelfServiceFlow['ui']['nodes'],
  messages?: UiText[],
): Promise<FastifyReply> {
  return saveFlowUi(stepContext(deps), request, reply, flow, { outcome: 'fix', active, nodes, messages });
}

function fix(
  deps: RegistrationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  nodes: SelfServiceFlow['ui']['nodes'],
  messages?: UiText[],
): Promise<FastifyReply> {
  return saveFlowUi(stepContext(deps), request, reply, flow, {
    outcome: 'fix',
    active: 'password',
    nodes,
    messages,
  });
}

function expired(
  deps: RegistrationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
): Promise<FastifyReply> {
  return replaceExpiredFlow(
    { ...stepContext(deps), cookies: deps.cookies, publicBase: deps.publicBase },
    request,
    reply,
    flow,
    (replacement) =>
      createRegistrationFlow(deps, {
        type: flow.type,
        requestUrl: flow.request_url,
        returnTo: flow.return_to,
        identitySchema: askedFlowSchema(flow),
        ...replacement,
      }),
  );
}

function stepContext(deps: RegistrationDeps) {
  return { flows: deps.flows, uiUrl: deps.config.registration.uiUrl, now: deps.now };
}
