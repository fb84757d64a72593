import type { OidcMethodConfig } from '../../../config/areas/oidc.js';
import type { IdentityManager } from '../../../identity/manager.js';
import type { Identity } from '../../../identity/model.js';
import type { UiNode } from '../../flow/ui.js';
import type { LoginDeps } from '../../login/deps.js';
import type { RegistrationDeps } from '../../registration/deps.js';
import type { SettingsDeps } from '../../settings/deps.js';
import type { ProviderClients } from './client.js';
import type { ClaimsMapperDeps } from './mapper.js';
import type { OidcStateStore } from './state-store.js';

/**
 * What the oidc method needs; app/selfservice.ts provides it when
 * `selfservice.methods.oidc.enabled` is true. It takes part in three flows, so it holds theirs.
 */
export interface OidcDeps {
  config: OidcMethodConfig;
  clients: ProviderClients;
  states: OidcStateStore;
  mapper: ClaimsMapperDeps;
  /** Creates identities and links providers to them (validated against the schema). */
  identities: IdentityManager;
  login: LoginDeps;
  registration: RegistrationDeps;
  settings: SettingsDeps;
  /** "Sign in with ..." buttons of the login form. */
  loginNodes(): UiNode[];
  /** "Sign up with ..." buttons of the registration form. */
  registrationNodes(): UiNode[];
  /** "Link ..." / "Unlink ..." buttons of the identity's settings form. */
  settingsNodes(identity: Identity): UiNode[];
  now(): Date;
}
