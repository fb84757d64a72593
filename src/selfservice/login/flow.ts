import { randomUUID } from 'node:crypto';
import type { FlowType, SelfServiceFlow } from '../flow/flow.js';
import { publicUrl } from '../flow/request-url.js';
import { csrfNode, type UiNode, uiContainer } from '../flow/ui.js';
import type { LoginDeps } from './deps.js';

export interface NewLoginFlow {
  type: FlowType;
  requestUrl: string;
  returnTo: string | null;
  refresh: boolean;
  /** Browser flows carry the masked CSRF token in a hidden node. */
  csrfToken?: string;
  /** Browser flows remember which browser started them (see csrfBinding). */
  csrfBinding?: string;
}

/** Builds and stores a new login flow with the password method's form. */
export async function createLoginFlow(deps: LoginDeps, input: NewLoginFlow): Promise<SelfServiceFlow> {
  const now = deps.now();
  const id = randomUUID();
  const flow: SelfServiceFlow = {
    id,
    kind: 'login',
    type: input.type,
    state: 'choose_method',
    request_url: input.requestUrl,
    return_to: input.returnTo,
    active: null,
    ui: uiContainer(
      publicUrl(deps.publicBase, `self-service/login?flow=${id}`),
      loginFormNodes(deps, input.csrfToken),
    ),
    refresh: input.refresh,
    requested_aal: 'aal1',
    internal: input.csrfBinding === undefined ? {} : { csrf_binding: input.csrfBinding },
    issued_at: now,
    expires_at: new Date(now.getTime() + deps.config.login.lifespanMs),
    created_at: now,
    updated_at: now,
  };
  await deps.flows.create(flow);
  return flow;
}

/** The form's nodes: the CSRF node first (browser flows only), then the methods'. */
export function loginFormNodes(
  deps: LoginDeps,
  csrfToken: string | undefined,
  identifier?: string,
): UiNode[] {
  const nodes = deps.loginNodes(identifier);
  return csrfToken === undefined ? nodes : [csrfNode(csrfToken), ...nodes];
}
