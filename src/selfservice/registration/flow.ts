import type { JsonObject } from '../../identity/model.js';
import { type FlowNotice, type FlowType, newFlow, type SelfServiceFlow } from '../flow/flow.js';
import { flowSchema, flowSchemaState } from '../flow/identity-schema.js';
import { publicUrl } from '../flow/request-url.js';
import { type TokenExchangeState, tokenExchangeInternal } from '../flow/token-exchange.js';
import { csrfNode, type UiNode, uiContainer } from '../flow/ui.js';
import { oauth2Internal } from '../login/oauth2-flow.js';
import { registrationPasswordStepNodes, registrationProfileNodes } from '../nodes/index.js';
import type { RegistrationDeps } from './deps.js';

export interface NewRegistrationFlow extends FlowNotice {
  type: FlowType;
  requestUrl: string;
  returnTo: string | null;
  csrfToken?: string;
  /** Browser flows remember which browser started them (see csrfBinding). */
  csrfBinding?: string;
  /** The identity schema asked for (`?identity_schema=`, checked); the default otherwise. */
  identitySchema?: string;
  /** The flow's id when chosen beforehand (a new token exchange's init code names it). */
  id?: string;
  /** A native app's session token exchange: a new one, or carried over from the flow this one replaces. */
  tokenExchange?: TokenExchangeState;
  /** The Ory Hydra `login_challenge` the flow serves (see login/oauth2-flow.ts). */
  oauth2Challenge?: string;
}

/** Builds and stores a new registration flow whose form comes from the identity schema. */
export async function createRegistrationFlow(
  deps: RegistrationDeps,
  input: NewRegistrationFlow,
): Promise<SelfServiceFlow> {
  const flow = newFlow({
    id: input.id,
    kind: 'registration',
    type: input.type,
    requestUrl: input.requestUrl,
    returnTo: input.returnTo,
    csrfBinding: input.csrfBinding,
    internal: {
      ...flowSchemaState(input.identitySchema),
      ...tokenExchangeInternal(input.tokenExchange),
      ...oauth2Internal(input.oauth2Challenge),
    },
    lifespanMs: deps.config.registration.lifespanMs,
    ui: (id) =>
      uiContainer(
        publicUrl(deps.publicBase, `self-service/registration?flow=${id}`),
        registrationFormNodes(deps, input.identitySchema, input.csrfToken),
      ),
    notice: input.notice,
    now: deps.now(),
  });
  await deps.flows.create(flow);
  return flow;
}

/** The form of a registration flow whose identity schema is `identitySchema` (the default if none). */
export function registrationFormNodes(
  deps: RegistrationDeps,
  identitySchema: string | undefined,
  csrfToken: string | undefined,
  values?: JsonObject,
  step: 'first' | 'password' = 'first',
): UiNode[] {
  const nodes = methodNodes(deps, flowSchema(deps.flowSchemas, identitySchema).document, step, values);
  // The providers' buttons come first (Kratos's group order), on both steps of profile_first: the
  // credential step offers them beside the password (the oidc strategy's
  // PopulateRegistrationMethodCredentials), and a provider post carries the hidden traits.
  const providers = deps.oidc?.registrationNodes() ?? [];
  return csrfToken === undefined ? [...providers, ...nodes] : [...providers, csrfNode(csrfToken), ...nodes];
}

/**
 * The nodes of the trait and password methods. Kratos's NewRegistrationFlow asks only the enabled
 * strategies (RegistrationStrategies) to fill the form, so with `methods.password.enabled: false`
 * a unified form gets neither the password's trait fields nor its password and button, and a
 * profile_first one keeps the profile strategy's screens without the password's nodes.
 */
function methodNodes(
  deps: RegistrationDeps,
  schemaDocument: JsonObject,
  step: 'first' | 'password',
  values: JsonObject | undefined,
): UiNode[] {
  if (deps.config.password.enabled) return deps.registrationNodes(schemaDocument, step, values);
  if (deps.config.registration.style === 'unified') return [];
  return step === 'first'
    ? registrationProfileNodes(schemaDocument, { values })
    : registrationPasswordStepNodes(schemaDocument, { values: values ?? {}, withPassword: false });
}
