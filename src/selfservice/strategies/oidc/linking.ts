/**
 * Account linking as Kratos's open-source edition does it: when the email a provider's claims map
 * to belongs to an existing identity, nothing is linked yet. The person is sent to a new login
 * flow (message 1010016) that remembers the provider account server-side; only once they sign
 * in there with the existing identity's own method is the provider linked to it. An email,
 * verified or not, never links by itself.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CredentialType, Identity, JsonObject, JsonValue } from '../../../identity/model.js';
import { SealedProviderTokens } from '../../../identity/provider-tokens.js';
import { hasUsablePassword } from '../../../identity/usable-password.js';
import type { SelfServiceFlow } from '../../flow/flow.js';
import { csrfBinding, csrfTokenFor, ensureCsrfSecret } from '../../flow/http-context.js';
import { askedFlowSchema } from '../../flow/identity-schema.js';
import { Msg, uiText } from '../../flow/messages.js';
import { publicUrl } from '../../flow/request-url.js';
import { respondWithFlowToFix } from '../../flow/respond.js';
import { exchangeNeedsPerson, isExchangeCallback } from '../../flow/token-exchange.js';
import { uiContainer } from '../../flow/ui.js';
import type { LoginDeps } from '../../login/deps.js';
import { createLoginFlow, loginFormNodes } from '../../login/flow.js';
import { currentIdentityBody } from '../../settings/strategy.js';
import type { ProviderClient } from './client.js';
import { linkedProviders, withLinkedProvider } from './credentials.js';
import type { OidcDeps } from './deps.js';
import { providerLabel } from './nodes.js';

const LINK = 'oidc_link';

/** The provider account a login flow links once the right identity signs in. */
interface PendingLink {
  identity_id: string;
  provider: string;
  subject: string;
  /** The provider's tokens, sealed (SealedProviderTokens), to keep with the account once linked. */
  tokens: JsonObject;
}

function pendingLinkOf(flow: SelfServiceFlow): PendingLink | undefined {
  const value = flow.internal[LINK];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { identity_id, provider, subject, tokens } = value;
  if (typeof identity_id !== 'string' || typeof provider !== 'string' || typeof subject !== 'string')
    return undefined;
  const sealed = typeof tokens === 'object' && tokens !== null && !Array.isArray(tokens) ? tokens : {};
  return { identity_id, provider, subject, tokens: sealed };
}

/** Credential types whose identifiers come from traits (Kratos looks the duplicate up by these). */
const TRAIT_IDENTIFIER_TYPES: readonly CredentialType[] = ['password', 'code', 'webauthn', 'passkey'];

/**
 * The identity registration collided with, found by the identifiers the new traits declare
 * (the email of most schemas), or undefined when the collision was elsewhere.
 */
async function collidingIdentity(
  deps: OidcDeps,
  identifiers: Partial<Record<string, string[]>>,
): Promise<{ identity: Identity; identifier: string } | undefined> {
  for (const type of TRAIT_IDENTIFIER_TYPES) {
    for (const identifier of identifiers[type] ?? []) {
      const identity = await deps.login.identities.findByCredentialIdentifier(type, identifier);
      if (identity) return { identity, identifier };
    }
  }
  return undefined;
}

/**
 * Registration with a provider hit an existing identity's identifier: a new login flow asks the
 * person to sign in to that identity first (1010016) and keeps the provider account to link.
 */
export async function startAccountLinking(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  input: {
    provider: ProviderClient;
    subject: string;
    tokens: SealedProviderTokens | undefined;
    identifiers: Partial<Record<string, string[]>>;
    /** The answer when no identity can be named (the collision was not on an identifier). */
    refuse(): Promise<FastifyReply>;
  },
): Promise<FastifyReply> {
  const found = await collidingIdentity(deps, input.identifiers);
  if (found === undefined) return input.refuse();
  // Linking waits for the person's sign-in to the existing account: never for an exchange.
  if (isExchangeCallback(request)) throw exchangeNeedsPerson();
  const secret = flow.type === 'browser' ? ensureCsrfSecret(request, reply, deps.login.cookies) : undefined;
  const csrfToken = secret === undefined ? undefined : csrfTokenFor(secret);
  const login = await createLoginFlow(deps.login, {
    type: flow.type,
    requestUrl: flow.request_url,
    returnTo: flow.return_to,
    refresh: false,
    identitySchema: askedFlowSchema(flow),
    ...(secret === undefined || csrfToken === undefined
      ? {}
      : { csrfToken, csrfBinding: csrfBinding(secret) }),
  });
  // As Kratos's NewLoginFlow (PreLoginHook): a login by any door runs the login `before` hooks.
  const refused = await deps.login.hooks?.before('login', request, login);
  if (refused) throw refused;
  // The ways the identity can sign in now: a password credential that holds only identifiers
  // (an account made through a provider) is not one.
  const credentialTypes = Object.keys(found.identity.credentials)
    .filter((type) => type !== 'password' || hasUsablePassword(found.identity))
    .sort();
  const message = uiText(Msg.InfoSelfServiceLoginLink, {
    duplicate_identifier: found.identifier,
    provider: providerLabel(input.provider.config),
    new_login_url: publicUrl(deps.login.publicBase, 'self-service/login/browser'),
    available_credential_types: credentialTypes,
    available_providers: linkedProviders(found.identity).map((p) => p.provider),
  });
  const pending: PendingLink = {
    identity_id: found.identity.id,
    provider: input.provider.config.id,
    subject: input.subject,
    tokens: input.tokens?.toJson() ?? {},
  };
  const linking: SelfServiceFlow = {
    ...login,
    internal: { ...login.internal, [LINK]: pending as unknown as JsonValue },
    ui: uiContainer(
      login.ui.action,
      loginFormNodes(deps.login, askedFlowSchema(login), csrfToken, found.identifier),
      [message],
    ),
  };
  await deps.login.flows.update(linking);
  return respondWithFlowToFix(request, reply, linking, deps.login.config.login.uiUrl);
}

export type PendingLinkOutcome =
  | { kind: 'none' }
  | { kind: 'linked'; identity: Identity }
  /** Someone other than the identity the provider's email matched signed in (4010009). */
  | { kind: 'mismatch' };

/**
 * After a successful login in a flow that waits to link a provider account: links it to the
 * identity that signed in, if it is the one the account's email matched.
 */
export async function linkPendingProvider(
  deps: LoginDeps,
  flow: SelfServiceFlow,
  identity: Identity,
): Promise<PendingLinkOutcome> {
  const pending = pendingLinkOf(flow);
  if (pending === undefined || deps.oidc === undefined) return { kind: 'none' };
  if (pending.identity_id !== identity.id) return { kind: 'mismatch' };
  // Only the oidc credential changes, and it is built from the identity as stored when it is
  // written (re-read if another write got there first): the state, metadata, traits and other
  // linked accounts are never put back as this login read them.
  const linked = await deps.oidc.identities.update(identity.id, (current) => ({
    ...currentIdentityBody(current),
    credentials: withLinkedProvider(current, {
      provider: pending.provider,
      subject: pending.subject,
      tokens: SealedProviderTokens.stored(pending.tokens),
    }),
  }));
  return { kind: 'linked', identity: linked };
}
