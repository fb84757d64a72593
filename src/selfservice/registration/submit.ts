import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CreateIdentityBody } from '../../identity/bodies.js';
import type { Identity } from '../../identity/model.js';
import { serializeIdentity } from '../../identity/serialize.js';
import { badRequest, internalError, isAppError } from '../../kernel/errors.js';
import { clientIp } from '../../ratelimit/index.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import { isFlowExpired, type SelfServiceFlow } from '../flow/flow.js';
import { sessionAlreadyAvailable } from '../flow/flow-errors.js';
import { openSubmission, replaceExpiredFlow, saveFlowUi } from '../flow/flow-steps.js';
import {
  csrfTokenFor,
  ensureCsrfSecret,
  rotateCsrfSecret,
  setSessionCookie,
  wantsJson,
} from '../flow/http-context.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';
import { type ContinueWith, continueWithJson } from '../flow/respond.js';
import { applyIdentityPatch, draftIdentityJson } from '../hooks/identity-patch.js';
import { withNodeMessages } from '../nodes/index.js';
import { validatePassword } from '../strategies/password/policy/index.js';
import type { RegistrationDeps } from './deps.js';
import { registrationDisabled } from './errors.js';
import { createRegistrationFlow, registrationFormNodes } from './flow.js';
import { coerceFormTraits, withoutEmpty } from './form-values.js';

type FieldMessages = Record<string, UiText[]>;

/** `#/traits/a/b` -> `traits.a.b`, the name of the node that shows the message. */
function nodeName(pointer: string): string {
  return pointer.replace(/^#\//, '').split('/').join('.');
}

/** `POST /self-service/registration?flow=<id>` with the password method. */
export async function submitRegistration(
  deps: RegistrationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  // Switching registration off also stops flows that were started before.
  if (!deps.config.registration.enabled) throw registrationDisabled();
  const { flow, submission } = await openSubmission(deps, 'registration', request);
  const now = deps.now();
  if (isFlowExpired(flow, now)) return expired(deps, request, reply, flow);
  if (flow.state === 'passed_challenge') {
    return fix(deps, request, reply, flow, flow.ui.nodes, [
      uiText(Msg.ErrorValidationRegistrationRetrySuccess),
    ]);
  }

  const token = sessionTokenFrom(request, deps.tokens);
  if (token !== undefined && (await deps.sessions.authenticate(token))) {
    if (flow.type === 'browser' && !wantsJson(request)) {
      return reply.redirect(flow.return_to ?? deps.config.registration.after.returnUrl('password'), 303);
    }
    throw sessionAlreadyAvailable();
  }
  const profileFirst = deps.config.registration.style === 'profile_first';
  const profileStep = submission.method === 'profile' && profileFirst;
  if (submission.method !== 'password' && !profileStep) {
    throw badRequest(
      `The registration method "${submission.method ?? ''}" is not supported; use "password".`,
    );
  }

  let traits = submission.traits();
  if (submission.fromForm) traits = withoutEmpty(coerceFormTraits(deps.schemaDocument, traits));
  const password = submission.field('password') ?? '';
  const csrf =
    flow.type === 'browser' ? csrfTokenFor(ensureCsrfSecret(request, reply, deps.cookies)) : undefined;
  // Errors on the password step of profile_first show that step again; otherwise the first form.
  const step = profileFirst && !profileStep ? 'password' : 'first';
  const refuse = (fields: FieldMessages, messages?: UiText[]) =>
    fix(
      deps,
      request,
      reply,
      flow,
      withNodeMessages(registrationFormNodes(deps, csrf, traits, step), fields),
      messages,
    );

  // `screen=previous` on the password step goes back to the traits.
  if (profileStep && submission.field('screen') === 'previous') {
    return show(deps, request, reply, flow, registrationFormNodes(deps, csrf, traits, 'first'));
  }

  // 1. The traits against the identity schema; every problem goes on its field.
  const schemaId = deps.schemas.defaultId;
  const validation = deps.schemas.validate(schemaId, traits);
  if (!validation) throw internalError(`The default identity schema "${schemaId}" is not loaded.`);
  const fields: FieldMessages = {};
  if (!validation.ok) {
    for (const error of validation.errors) {
      const name = nodeName(error.pointer);
      const message =
        error.keyword === 'required'
          ? uiText(Msg.ErrorValidationRequired, { property: String(error.context.property ?? '') })
          : uiText(Msg.ErrorValidationGeneric, { reason: error.message });
      fields[name] = [...(fields[name] ?? []), message];
    }
  }
  if (!validation.ok) return refuse(fields);
  // profile_first, first step done: ask for the password, carrying the traits along.
  if (profileStep) {
    return show(
      deps,
      request,
      reply,
      flow,
      registrationFormNodes(deps, csrf, validation.traits, 'password'),
      deps.passwordStepMessages(),
    );
  }
  if (password === '')
    return refuse({ password: [uiText(Msg.ErrorValidationRequired, { property: 'password' })] });

  // 2. The password policy, against the first login identifier.
  const policy = await validatePassword(
    { identifier: validation.identifiers.password?.[0] ?? '', password },
    deps.passwordPolicy,
    { breaches: deps.breaches, logger: request.log },
  );
  if (!policy.ok) {
    if (policy.kind === 'lookup_failed')
      throw internalError('The password breach lookup failed.', policy.error);
    return refuse({ password: [policy.reason.message] });
  }

  // 3. Parse hooks see the identity before it is saved: they may change it or stop the flow.
  let body: CreateIdentityBody = {
    schema_id: schemaId,
    traits: validation.traits,
    credentials: { password: { config: { password } } },
  };
  const transientPayload = submission.transientPayload();
  if (deps.hooks) {
    const draft = body;
    const pre = await deps.hooks.prePersist('registration', 'password', request, flow, () => ({
      identity: draftIdentityJson(draft),
      transientPayload,
    }));
    if (pre.kind === 'failed') throw pre.error;
    if (pre.kind === 'validation') return refuse(pre.fields, pre.form);
    for (const patch of pre.patches) body = applyIdentityPatch(body, patch);
  }

  // 4. The identity; a taken identifier is a form message, not an error page.
  let identity: Identity;
  try {
    identity = await deps.identities.create(body);
  } catch (error) {
    if (isAppError(error) && error.code === 409) {
      return refuse({}, [uiText(Msg.ErrorValidationDuplicateCredentials)]);
    }
    // With hashers.algorithm bcrypt, Kratos answers an over-long password with 4000033 (72 bytes).
    if (isAppError(error) && error.id === 'password_too_long_for_hasher') {
      const actual = Number(error.details?.actual_length ?? 0);
      return refuse({
        password: [uiText(Msg.ErrorValidationPasswordMaxLength, { max_length: 72, actual_length: actual })],
      });
    }
    throw error;
  }

  // 5. After-registration hooks: `session` signs the person in.
  let issued: Awaited<ReturnType<typeof deps.sessions.issue>> | undefined;
  for (const hook of deps.config.registration.after.hooks('password')) {
    if (hook.hook === 'session' && issued === undefined) {
      issued = await deps.sessions.issue(identity, {
        methods: [{ method: 'password', aal: 'aal1', completed_at: now }],
        aal: 'aal1',
        device: {
          ipAddress:
            clientIp(
              {
                remoteAddress: request.socket.remoteAddress,
                xForwardedFor: request.headers['x-forwarded-for'],
              },
              deps.trustedProxies,
            ) ?? null,
          userAgent: request.headers['user-agent'] ?? null,
        },
      });
    }
  }
  await deps.flows.updateState({
    id: flow.id,
    state: 'passed_challenge',
    active: 'password',
    updated_at: now,
  });

  // 6. The other web hooks see what was saved; their failures undo nothing.
  await deps.hooks?.postPersist('registration', 'password', request, flow, () => ({
    identity: serializeIdentity(identity, {
      admin: true,
      schemaUrl: deps.schemas.schemaUrl(identity.schema_id),
    }),
    ...(issued ? { session: deps.sessions.toJson(issued.session, identity) } : {}),
    transientPayload,
  }));

  // 7. With verification enabled, the new addresses get their verification message.
  const verification = await deps.verification?.sendForAddresses(
    identity,
    identity.verifiable_addresses.filter((a) => !a.verified).map((a) => a.value),
    { type: flow.type, requestUrl: flow.request_url },
  );
  const showVerification: ContinueWith[] = verification
    ? [
        {
          action: 'show_verification_ui',
          flow: { id: verification.flowId, verifiable_address: verification.address, url: verification.url },
        },
      ]
    : [];

  const identityJson = serializeIdentity(identity, {
    admin: false,
    schemaUrl: deps.schemas.schemaUrl(identity.schema_id),
  });
  const sessionJson = issued ? deps.sessions.toJson(issued.session, identity) : undefined;
  if (flow.type === 'api') {
    const continueWith: ContinueWith[] = [
      ...(issued ? [{ action: 'set_ory_session_token', ory_session_token: issued.token } as const] : []),
      ...showVerification,
    ];
    return reply.send({
      identity: identityJson,
      ...(issued ? { session: sessionJson, session_token: issued.token } : {}),
      continue_with: continueWithJson(continueWith),
    });
  }
  if (issued) {
    setSessionCookie(reply, issued.token, deps.cookies);
    rotateCsrfSecret(reply, deps.cookies);
  }
  const returnTo = flow.return_to ?? deps.config.registration.after.returnUrl('password');
  if (wantsJson(request)) {
    return reply.send({
      identity: identityJson,
      ...(sessionJson ? { session: sessionJson } : {}),
      continue_with: continueWithJson([
        ...showVerification,
        { action: 'redirect_browser_to', redirect_browser_to: returnTo },
      ]),
    });
  }
  // The `show_verification_ui` hook sends the browser to the code form instead of return_to.
  const showUi = deps.config.registration.after
    .hooks('password')
    .some((hook) => hook.hook === 'show_verification_ui');
  if (verification && showUi) return reply.redirect(verification.url, 303);
  return reply.redirect(returnTo, 303);
}

/** The flow at its next step: 200 with the flow for JSON clients, 303 to the UI for browsers. */
function show(
  deps: RegistrationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  nodes: SelfServiceFlow['ui']['nodes'],
  messages?: UiText[],
): Promise<FastifyReply> {
  return saveFlowUi(stepContext(deps), request, reply, flow, {
    outcome: 'next',
    active: 'profile',
    nodes,
    messages,
  });
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
  return replaceExpiredFlow({ ...stepContext(deps), cookies: deps.cookies }, request, reply, flow, (csrf) =>
    createRegistrationFlow(deps, {
      type: flow.type,
      requestUrl: flow.request_url,
      returnTo: flow.return_to,
      ...csrf,
    }),
  );
}

function stepContext(deps: RegistrationDeps) {
  return { flows: deps.flows, uiUrl: deps.config.registration.uiUrl, now: deps.now };
}
