import { type FlowNotice, type FlowType, newFlow, type SelfServiceFlow } from '../flow/flow.js';
import { flowSchemaState } from '../flow/identity-schema.js';
import { Msg, uiText } from '../flow/messages.js';
import { publicUrl } from '../flow/request-url.js';
import { type TokenExchangeState, tokenExchangeInternal } from '../flow/token-exchange.js';
import { csrfNode, type UiNode, uiContainer } from '../flow/ui.js';
import type { LoginDeps } from './deps.js';

export interface NewLoginFlow extends FlowNotice {
  type: FlowType;
  requestUrl: string;
  returnTo: string | null;
  /** Re-authenticate the session that exists (only set when one does). */
  refresh: boolean;
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
}

/** Builds and stores a new login flow with the password method's form. */
export async function createLoginFlow(deps: LoginDeps, input: NewLoginFlow): Promise<SelfServiceFlow> {
  const flow = newFlow({
    id: input.id,
    kind: 'login',
    type: input.type,
    requestUrl: input.requestUrl,
    returnTo: input.returnTo,
    refresh: input.refresh,
    csrfBinding: input.csrfBinding,
    internal: { ...flowSchemaState(input.identitySchema), ...tokenExchangeInternal(input.tokenExchange) },
    lifespanMs: deps.config.login.lifespanMs,
    ui: (id) =>
      uiContainer(
        publicUrl(deps.publicBase, `self-service/login?flow=${id}`),
        loginFormNodes(deps, input.identitySchema, input.csrfToken, undefined, input.refresh),
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
 * The form's nodes in Kratos's group order: the providers' buttons (oidc), the CSRF node (browser
 * flows only), then the password method's: the form a flow starts with in the configured style
 * (the identification step with `identifier_first`). A refresh knows who signs in, so it keeps
 * the one-step form in either style. With `methods.password.enabled: false` the one-step form has
 * no password nodes, as Kratos's NewLoginFlow asks only the enabled strategies to fill it; the
 * identification step is the identifier-first strategy's and stays.
 */
export function loginFormNodes(
  deps: LoginDeps,
  identitySchema: string | undefined,
  csrfToken: string | undefined,
  identifier?: string,
  refresh = false,
): UiNode[] {
  const nodes =
    !refresh && deps.identifierFirst
      ? deps.identifierFirst.identifyNodes(identitySchema, identifier)
      : deps.config.password.enabled
        ? deps.loginNodes(identitySchema, identifier)
        : [];
  const providers = deps.oidc?.loginNodes() ?? [];
  return csrfToken === undefined ? [...providers, ...nodes] : [...providers, csrfNode(csrfToken), ...nodes];
}
