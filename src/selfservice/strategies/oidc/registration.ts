import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JsonObject, JsonValue } from '../../../identity/model.js';
import { SealedProviderTokens } from '../../../identity/provider-tokens.js';
import { internalError, isAppError } from '../../../kernel/errors.js';
import type { SelfServiceFlow } from '../../flow/flow.js';
import { saveFlowUi } from '../../flow/flow-steps.js';
import { csrfBinding, csrfTokenFor, ensureCsrfSecret } from '../../flow/http-context.js';
import { askedFlowSchema, flowSchema } from '../../flow/identity-schema.js';
import { Msg, type UiText, uiText } from '../../flow/messages.js';
import type { Submission } from '../../flow/submission.js';
import { exchangeNeedsPerson, isExchangeCallback, tokenExchangeOf } from '../../flow/token-exchange.js';
import { csrfNode } from '../../flow/ui.js';
import { createLoginFlow } from '../../login/flow.js';
import { withNodeMessages } from '../../nodes/index.js';
import { finishRegistration } from '../../registration/finish.js';
import { coerceFormTraits, withoutEmpty } from '../../registration/form-values.js';
import { traitFieldMessages } from '../../registration/trait-messages.js';
import { redirectToProvider } from './authorize.js';
import type { ProviderAccount } from './claims.js';
import type { ProviderClient } from './client.js';
import { oidcIdentifier } from './credentials.js';
import type { OidcDeps } from './deps.js';
import { OidcFailure, unknownProvider } from './errors.js';
import { failOnFlow } from './flow-failure.js';
import { verifyIdToken } from './id-token.js';
import { startAccountLinking } from './linking.js';
import { completeOidcLogin } from './login.js';
import { type MappedIdentity, mapClaims } from './mapper.js';
import { oidcTraitsNodes } from './nodes.js';
import { readOidcSubmission } from './submission.js';

/**
 * What a registration flow keeps (server-side, in `internal`) while the person completes traits
 * the provider's claims did not fill: the provider account and the mapper's other output.
 */
interface PendingRegistration {
  provider: string;
  subject: string;
  /** The provider's tokens, sealed (SealedProviderTokens), to keep with the account. */
  tokens: JsonObject;
  metadata_public: JsonValue;
  metadata_admin: JsonValue;
  verified_addresses: JsonValue;
}

const PENDING = 'oidc_pending';

function pendingOf(flow: SelfServiceFlow): PendingRegistration | undefined {
  const value = flow.internal[PENDING];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { provider, subject } = value;
  if (typeof provider !== 'string' || typeof subject !== 'string') return undefined;
  return value as unknown as PendingRegistration;
}

/**
 * `POST /self-service/registration?flow=` with `provider`: completes traits the provider's
 * claims left out (when the flow waits for them), signs up a native app's `id_token`, or sends
 * the browser to the provider.
 */
export async function submitOidcRegistration(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  submission: Submission,
): Promise<FastifyReply> {
  const input = readOidcSubmission(submission);
  const client = deps.clients.get(input.provider);
  if (!client) throw unknownProvider(input.provider);
  let traits = input.traits;
  if (submission.fromForm) {
    const { document } = flowSchema(deps.registration.flowSchemas, askedFlowSchema(flow));
    traits = withoutEmpty(coerceFormTraits(document, traits));
  }
  try {
    const pending = pendingOf(flow);
    if (input.idToken === undefined && pending?.provider === client.config.id) {
      const mapped: MappedIdentity = {
        traits: {},
        metadataPublic: pending.metadata_public ?? undefined,
        metadataAdmin: pending.metadata_admin ?? undefined,
        verifiedAddresses: Array.isArray(pending.verified_addresses)
          ? (pending.verified_addresses as unknown as MappedIdentity['verifiedAddresses'])
          : [],
      };
      const parked = { subject: pending.subject, tokens: SealedProviderTokens.stored(pending.tokens ?? {}) };
      const submitted = { traits, transientPayload: input.transientPayload };
      return await register(deps, request, reply, flow, client, parked, mapped, submitted);
    }
    if (input.idToken !== undefined) {
      const claims = await verifyIdToken(client, input.idToken, input.idTokenNonce);
      const account = { claims, tokens: undefined };
      return await completeOidcRegistration(deps, request, reply, flow, client, account, {
        traits,
        transientPayload: input.transientPayload,
      });
    }
    return await redirectToProvider(deps, request, reply, flow, client, input);
  } catch (error) {
    if (error instanceof OidcFailure) return failOnFlow(deps, request, reply, flow, error);
    throw error;
  }
}

/** What the registration's submission brought beside the provider's account. */
export interface OidcRegistrationInput {
  /** Traits the person submitted, over the mapper's. */
  traits: JsonObject;
  /** The submission's `transient_payload` (carried through the provider round trip), for web hooks. */
  transientPayload: JsonObject | undefined;
}

/**
 * The provider vouched for `account.claims`: a subject already registered signs in instead (as Kratos
 * does, the transient payload going along); otherwise the mapper turns the claims into traits and
 * the identity is created.
 */
export async function completeOidcRegistration(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  client: ProviderClient,
  account: ProviderAccount,
  submitted: OidcRegistrationInput,
): Promise<FastifyReply> {
  const known = await deps.login.identities.findByCredentialIdentifier(
    'oidc',
    oidcIdentifier(client.config.id, account.claims.sub),
  );
  if (known !== undefined) {
    const secret = flow.type === 'browser' ? ensureCsrfSecret(request, reply, deps.login.cookies) : undefined;
    const login = await createLoginFlow(deps.login, {
      type: flow.type,
      requestUrl: flow.request_url,
      returnTo: flow.return_to,
      refresh: false,
      identitySchema: askedFlowSchema(flow),
      tokenExchange: tokenExchangeOf(flow),
      ...(secret === undefined ? {} : { csrfToken: csrfTokenFor(secret), csrfBinding: csrfBinding(secret) }),
    });
    // As Kratos's NewLoginFlow (PreLoginHook): a login by any door runs the login `before` hooks.
    const refused = await deps.login.hooks?.before('login', request, login);
    if (refused) throw refused;
    return completeOidcLogin(deps, request, reply, login, client, account, {
      transientPayload: submitted.transientPayload,
    });
  }
  let mapped: MappedIdentity;
  try {
    mapped = await mapClaims(deps.mapper, client.config.mapperUrl, account.claims);
  } catch (error) {
    if (error instanceof OidcFailure) return failOnFlow(deps, request, reply, flow, error);
    throw error;
  }
  const linked = { subject: account.claims.sub, tokens: account.tokens };
  return register(deps, request, reply, flow, client, linked, mapped, submitted);
}

/**
 * Validates the mapped traits (with what the person submitted over them) and creates the
 * identity with the provider account linked. Missing or invalid traits show the registration
 * form filled with what is known; a taken email starts account linking.
 */
async function register(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  client: ProviderClient,
  linked: { subject: string; tokens: SealedProviderTokens | undefined },
  mapped: MappedIdentity,
  submitted: OidcRegistrationInput,
): Promise<FastifyReply> {
  const { subject, tokens } = linked;
  const schemaId = flowSchema(deps.registration.flowSchemas, askedFlowSchema(flow)).id;
  const traits: JsonObject = { ...mapped.traits, ...submitted.traits };
  const validation = deps.registration.schemas.validate(schemaId, traits);
  if (!validation) throw internalError(`The identity schema "${schemaId}" is not loaded.`);
  const pending: PendingRegistration = {
    provider: client.config.id,
    subject,
    tokens: tokens?.toJson() ?? {},
    metadata_public: mapped.metadataPublic ?? null,
    metadata_admin: mapped.metadataAdmin ?? null,
    verified_addresses: mapped.verifiedAddresses as unknown as JsonValue,
  };
  const showForm = (fields: Record<string, UiText[]>, form: UiText[], values: JsonObject) =>
    showTraitsForm(deps, request, reply, flow, client, pending, values, fields, form);
  if (!validation.ok) {
    return showForm(traitFieldMessages(validation.errors), [], traits);
  }
  return finishRegistration(deps.registration, request, reply, flow, {
    body: {
      schema_id: schemaId,
      traits: validation.traits,
      ...(mapped.metadataPublic === undefined ? {} : { metadata_public: mapped.metadataPublic }),
      ...(mapped.metadataAdmin === undefined ? {} : { metadata_admin: mapped.metadataAdmin }),
      credentials: { oidc: { config: { providers: [{ provider: client.config.id, subject, tokens }] } } },
      verifiable_addresses: mapped.verifiedAddresses,
    },
    method: 'oidc',
    provider: client.config.id,
    transientPayload: submitted.transientPayload,
    refuse: (fields, form) => showForm(fields, form, validation.traits),
    onCreateError(error) {
      if (!isAppError(error) || error.code !== 409) return undefined;
      return () =>
        startAccountLinking(deps, request, reply, flow, {
          provider: client,
          subject,
          tokens,
          identifiers: validation.identifiers,
          refuse: () => showForm({}, [uiText(Msg.ErrorValidationDuplicateCredentials)], validation.traits),
        });
    },
  });
}

/** The registration form of the oidc group, filled with `traits`, waiting for the person. */
async function showTraitsForm(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  client: ProviderClient,
  pending: PendingRegistration,
  traits: JsonObject,
  fields: Record<string, UiText[]>,
  form: UiText[],
): Promise<FastifyReply> {
  if (isExchangeCallback(request)) throw exchangeNeedsPerson();
  const csrf =
    flow.type === 'browser' ? csrfTokenFor(ensureCsrfSecret(request, reply, deps.login.cookies)) : undefined;
  const nodes = withNodeMessages(
    oidcTraitsNodes(
      flowSchema(deps.registration.flowSchemas, askedFlowSchema(flow)).document,
      client.config,
      traits,
    ),
    fields,
  );
  const waiting: SelfServiceFlow = {
    ...flow,
    internal: { ...flow.internal, [PENDING]: pending as unknown as JsonValue },
  };
  return saveFlowUi(
    { flows: deps.login.flows, uiUrl: deps.registration.config.registration.uiUrl, now: deps.now },
    request,
    reply,
    waiting,
    {
      outcome: 'fix',
      active: 'oidc',
      nodes: csrf === undefined ? nodes : [csrfNode(csrf), ...nodes],
      messages: form,
    },
  );
}
