import type { Identity } from '../../identity/model.js';
import { hasUsablePassword } from '../../identity/usable-password.js';
import { type FlowNotice, type FlowType, newFlow, type SelfServiceFlow } from '../flow/flow.js';
import { flowSchemaState } from '../flow/identity-schema.js';
import { Msg, uiText } from '../flow/messages.js';
import { publicUrl } from '../flow/request-url.js';
import { type TokenExchangeState, tokenExchangeInternal } from '../flow/token-exchange.js';
import { csrfNode, type UiNode, uiContainer } from '../flow/ui.js';
import { loginPasswordRefreshNodes } from '../nodes/index.js';
import { linkedProviders } from '../strategies/oidc/credentials.js';
import type { LoginDeps } from './deps.js';
import { oauth2Internal } from './oauth2-flow.js';

export interface NewLoginFlow extends FlowNotice {
  type: FlowType;
  requestUrl: string;
  returnTo: string | null;
  /** Re-authenticate the session that exists (only set when one does). */
  refresh: boolean;
  /** The identity of the session a refresh re-authenticates: its form is built for it. */
  refreshIdentityId?: string;
  /** Browser flows carry the masked CSRF token in a hidden node. */
  csrfToken?: string;
  /** Browser flows remember which browser started them (see csrfBinding). */
  csrfBinding?: string;
  /** The identity schema asked for (`?identity_schema=`, checked); the default otherwise. */
  identitySchema?: string;
  /** The flow's id when chosen beforehand (a new token exchange's init code names it). */
  id?: string;
  /** A native app's session token exchange: a new one, or carried over from the flow this one replaces. */
  tokenExchange?: TokenExchangeState;
  /** The Ory Hydra `login_challenge` the flow serves (see oauth2-flow.ts). */
  oauth2Challenge?: string;
}

/** Builds and stores a new login flow with the password method's form. */
export async function createLoginFlow(deps: LoginDeps, input: NewLoginFlow): Promise<SelfServiceFlow> {
  const refreshOf = input.refresh ? await refreshAccountOf(deps, input.refreshIdentityId) : undefined;
  const flow = newFlow({
    id: input.id,
    kind: 'login',
    type: input.type,
    requestUrl: input.requestUrl,
    returnTo: input.returnTo,
    refresh: input.refresh,
    csrfBinding: input.csrfBinding,
    internal: {
      ...flowSchemaState(input.identitySchema),
      ...tokenExchangeInternal(input.tokenExchange),
      ...oauth2Internal(input.oauth2Challenge),
    },
    lifespanMs: deps.config.login.lifespanMs,
    ui: (id) =>
      uiContainer(
        publicUrl(deps.publicBase, `self-service/login?flow=${id}`),
        loginFormNodes(deps, input.identitySchema, input.csrfToken, undefined, refreshOf),
        // As Kratos's preLoginHook: a refresh asks the person to confirm it is them (1010003).
        input.refresh ? [uiText(Msg.InfoSelfServiceLoginReAuth)] : undefined,
      ),
    notice: input.notice,
    now: deps.now(),
  });
  await deps.flows.create(flow);
  return flow;
}

/**
 * Who a refresh re-authenticates, as Kratos's strategies find it (flowhelpers.GuessForcedLoginIdentifier
 * on the session's identity): the password credential's first identifier when the identity can
 * sign in with a password, and the providers linked to it.
 */
export interface RefreshAccount {
  passwordIdentifier: string | undefined;
  linkedProviders: ReadonlySet<string>;
}

/** The refresh account of `identityId` (nothing known when it is absent or gone). */
export async function refreshAccountOf(
  deps: Pick<LoginDeps, 'identities'>,
  identityId: string | undefined,
): Promise<RefreshAccount> {
  const identity = identityId === undefined ? undefined : await deps.identities.get(identityId);
  return identity === undefined
    ? { passwordIdentifier: undefined, linkedProviders: new Set() }
    : refreshAccount(identity);
}

function refreshAccount(identity: Identity): RefreshAccount {
  const identifier = identity.credentials.password?.identifiers[0];
  return {
    passwordIdentifier: identifier !== undefined && hasUsablePassword(identity) ? identifier : undefined,
    linkedProviders: new Set(linkedProviders(identity).map((p) => p.provider)),
  };
}

/**
 * The form's nodes in Kratos's group order: the providers' buttons (oidc), the CSRF node (browser
 * flows only), then the password method's: the form a flow starts with in the configured style
 * (the identification step with `identifier_first`). With `methods.password.enabled: false` the
 * one-step form has no password nodes, as Kratos's NewLoginFlow asks only the enabled strategies
 * to fill it; the identification step is the identifier-first strategy's and stays.
 *
 * A refresh (`refresh` given) knows who signs in, so it has the one-step form in either style,
 * built as Kratos's PopulateLoginMethodFirstFactorRefresh: password's (strategy/password/login.go)
 * is the identifier hidden and pre-filled, the password and "Sign in", and nothing at all when the
 * identity has no password to sign in with; oidc's (strategy/oidc/strategy_login.go) offers only
 * the providers linked to the identity.
 */
export function loginFormNodes(
  deps: LoginDeps,
  identitySchema: string | undefined,
  csrfToken: string | undefined,
  identifier?: string,
  refresh?: RefreshAccount,
): UiNode[] {
  const nodes =
    refresh !== undefined
      ? deps.config.password.enabled && refresh.passwordIdentifier !== undefined
        ? loginPasswordRefreshNodes(refresh.passwordIdentifier)
        : []
      : deps.identifierFirst
        ? deps.identifierFirst.identifyNodes(identitySchema, identifier)
        : deps.config.password.enabled
          ? deps.loginNodes(identitySchema, identifier)
          : [];
  const allProviders = deps.oidc?.loginNodes() ?? [];
  const providers =
    refresh === undefined
      ? allProviders
      : allProviders.filter((node) =>
          refresh.linkedProviders.has(String((node.attributes as { value?: unknown }).value)),
        );
  return csrfToken === undefined ? [...providers, ...nodes] : [...providers, csrfNode(csrfToken), ...nodes];
}
