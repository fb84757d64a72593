/**
 * The `oidc` group's nodes (Kratos's oidc strategy `PopulateLoginMethod`,
 * `PopulateRegistrationMethod`, `PopulateSettingsMethod`): one submit button per provider named
 * `provider` (login, registration) or `link` / `unlink` (settings), labelled with the provider's
 * `label`, else its id.
 */

import type { OidcProviderConfig } from '../../../config/areas/oidc.js';
import type { JsonObject } from '../../../identity/model.js';
import { Msg, submitNode, type UiInputNode, type UiNode, uiText } from '../../flow/index.js';
import { traitNodes } from '../../nodes/index.js';

export function providerLabel(provider: OidcProviderConfig): string {
  return provider.label ?? provider.id;
}

/** "Sign in with {provider}" (1010002), one per provider. */
export function oidcLoginNodes(providers: readonly OidcProviderConfig[]): UiInputNode[] {
  return providers.map((p) =>
    submitNode(
      'oidc',
      'provider',
      p.id,
      uiText(Msg.InfoSelfServiceLoginWith, { provider: providerLabel(p), provider_id: p.id }),
    ),
  );
}

/** "Sign up with {provider}" (1040002), one per provider. */
export function oidcRegistrationNodes(providers: readonly OidcProviderConfig[]): UiInputNode[] {
  return providers.map((p) =>
    submitNode(
      'oidc',
      'provider',
      p.id,
      uiText(Msg.InfoSelfServiceRegistrationWith, { provider: providerLabel(p), provider_id: p.id }),
    ),
  );
}

/**
 * The registration form after a provider's claims did not make a valid identity: the traits in
 * group `oidc`, filled with what the mapper gave (the person completes them), and the provider's
 * button to finish with.
 */
export function oidcTraitsNodes(
  schemaDocument: JsonObject,
  provider: OidcProviderConfig,
  traits: JsonObject,
): UiNode[] {
  return [
    ...traitNodes(schemaDocument, { group: 'oidc', values: traits }),
    ...oidcRegistrationNodes([provider]),
  ];
}

/**
 * Settings: "Link {provider}" (1050002) for each provider not linked yet, "Unlink {provider}"
 * (1050003) for each linked one unless it is the identity's only way to sign in.
 */
export function oidcSettingsNodes(
  providers: readonly OidcProviderConfig[],
  linked: ReadonlySet<string>,
  canUnlink: boolean,
): UiInputNode[] {
  const nodes: UiInputNode[] = [];
  for (const p of providers) {
    if (!linked.has(p.id)) {
      nodes.push(
        submitNode(
          'oidc',
          'link',
          p.id,
          uiText(Msg.InfoSelfServiceSettingsUpdateLinkOidc, { provider: providerLabel(p) }),
        ),
      );
    } else if (canUnlink) {
      nodes.push(
        submitNode(
          'oidc',
          'unlink',
          p.id,
          uiText(Msg.InfoSelfServiceSettingsUpdateUnlinkOidc, { provider: providerLabel(p) }),
        ),
      );
    }
  }
  return nodes;
}
