import type { Identity, JsonObject } from '../../identity/model.js';
import { internalError } from '../../kernel/errors.js';
import { type FlowNotice, type FlowType, newFlow, type SelfServiceFlow } from '../flow/flow.js';
import { publicUrl } from '../flow/request-url.js';
import { csrfNode, type UiNode, uiContainer } from '../flow/ui.js';
import { settingsNodes } from '../nodes/index.js';
import type { SettingsDeps } from './deps.js';

/** What building a settings form and flow needs (a part of {@link SettingsDeps}). */
export type SettingsFlowDeps = Pick<
  SettingsDeps,
  'flows' | 'config' | 'publicBase' | 'schemaDocument' | 'now' | 'oidc'
>;

export interface NewSettingsFlow extends FlowNotice {
  type: FlowType;
  /** The signed-in identity whose settings the flow changes. */
  identity: Identity;
  requestUrl: string;
  returnTo: string | null;
  /** Browser flows carry the masked CSRF token in a hidden node. */
  csrfToken?: string;
  /** Browser flows remember which browser started them (see csrfBinding). */
  csrfBinding?: string;
}

/**
 * Builds and stores a new settings flow for `input.identity`, its form filled with the
 * identity's traits, in state `show_form`. The recovery flow continues into one of these after a
 * successful recovery.
 */
export async function createSettingsFlow(
  deps: SettingsFlowDeps,
  input: NewSettingsFlow,
): Promise<SelfServiceFlow> {
  const flow = newFlow({
    kind: 'settings',
    type: input.type,
    requestUrl: input.requestUrl,
    returnTo: input.returnTo,
    csrfBinding: input.csrfBinding,
    lifespanMs: deps.config.settings.lifespanMs,
    ui: (id) =>
      uiContainer(
        publicUrl(deps.publicBase, `self-service/settings?flow=${id}`),
        settingsFormNodes(deps, input.identity, input.csrfToken, input.identity.traits, input.type),
      ),
    notice: input.notice,
    now: deps.now(),
  });
  const settings: SelfServiceFlow = {
    ...flow,
    state: 'show_form',
    internal: { ...flow.internal, identity_id: input.identity.id },
  };
  await deps.flows.create(settings);
  return settings;
}

/**
 * The form's nodes for the enabled methods: the CSRF node first (browser flows only), then the
 * traits filled with `traits` (the identity's own unless given), then the new password, then,
 * for browser flows only, the providers to link and unlink (Kratos's oidc PopulateSettingsMethod
 * adds nothing to other flows). `flowType` defaults to what the CSRF token says: browser flows
 * carry one, api flows never do.
 */
export function settingsFormNodes(
  deps: Pick<SettingsDeps, 'config' | 'schemaDocument' | 'oidc'>,
  identity: Identity,
  csrfToken: string | undefined,
  traits: JsonObject = identity.traits,
  flowType: FlowType = csrfToken === undefined ? 'api' : 'browser',
): UiNode[] {
  const document = deps.schemaDocument(identity.schema_id);
  if (document === undefined)
    throw internalError(`The identity schema "${identity.schema_id}" is not loaded.`);
  const nodes = settingsNodes(document, {
    traits,
    profile: deps.config.profile.enabled,
    password: deps.config.password.enabled,
  });
  // The oidc group comes last in Kratos's settings order.
  const providers = flowType === 'browser' ? (deps.oidc?.settingsNodes(identity) ?? []) : [];
  return csrfToken === undefined ? [...nodes, ...providers] : [csrfNode(csrfToken), ...nodes, ...providers];
}

/** The id of the identity a settings flow belongs to. */
export function flowIdentityId(flow: SelfServiceFlow): string | undefined {
  const id = flow.internal.identity_id;
  return typeof id === 'string' ? id : undefined;
}
