import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../../identity/model.js';
import type { FlowType, SelfServiceFlow } from '../flow/flow.js';
import { publicUrl } from '../flow/request-url.js';
import { csrfNode, type UiNode, uiContainer } from '../flow/ui.js';
import type { RegistrationDeps } from './deps.js';

export interface NewRegistrationFlow {
  type: FlowType;
  requestUrl: string;
  returnTo: string | null;
  csrfToken?: string;
  /** Browser flows remember which browser started them (see csrfBinding). */
  csrfBinding?: string;
}

/** Builds and stores a new registration flow whose form comes from the identity schema. */
export async function createRegistrationFlow(
  deps: RegistrationDeps,
  input: NewRegistrationFlow,
): Promise<SelfServiceFlow> {
  const now = deps.now();
  const id = randomUUID();
  const flow: SelfServiceFlow = {
    id,
    kind: 'registration',
    type: input.type,
    state: 'choose_method',
    request_url: input.requestUrl,
    return_to: input.returnTo,
    active: null,
    ui: uiContainer(
      publicUrl(deps.publicBase, `self-service/registration?flow=${id}`),
      registrationFormNodes(deps, input.csrfToken),
    ),
    refresh: false,
    requested_aal: 'aal1',
    internal: input.csrfBinding === undefined ? {} : { csrf_binding: input.csrfBinding },
    issued_at: now,
    expires_at: new Date(now.getTime() + deps.config.registration.lifespanMs),
    created_at: now,
    updated_at: now,
  };
  await deps.flows.create(flow);
  return flow;
}

export function registrationFormNodes(
  deps: RegistrationDeps,
  csrfToken: string | undefined,
  values?: JsonObject,
  step: 'first' | 'password' = 'first',
): UiNode[] {
  const nodes = deps.registrationNodes(step, values);
  return csrfToken === undefined ? nodes : [csrfNode(csrfToken), ...nodes];
}
