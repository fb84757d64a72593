import { oidcMethodConfig } from '../config/areas/oidc.js';
import type { TemplateSource } from '../selfservice/hooks/web-hook/templates.js';
import type { LoginDeps } from '../selfservice/login/deps.js';
import type { RegistrationDeps } from '../selfservice/registration/deps.js';
import type { SettingsDeps } from '../selfservice/settings/deps.js';
import { createProviderClients } from '../selfservice/strategies/oidc/client.js';
import { linkedProviders, signInMethodCount } from '../selfservice/strategies/oidc/credentials.js';
import type { OidcDeps } from '../selfservice/strategies/oidc/deps.js';
import {
  oidcLoginNodes,
  oidcRegistrationNodes,
  oidcSettingsNodes,
} from '../selfservice/strategies/oidc/nodes.js';
import { createOidcStateStore } from '../selfservice/strategies/oidc/state-store.js';
import type { Registry } from './registry.js';

/**
 * Wires the oidc method into the login, registration and settings flows when
 * `selfservice.methods.oidc.enabled` is true; undefined otherwise. A provider kind Portcullis has
 * no preset for stops the start.
 */
export function buildOidcDeps(
  registry: Registry,
  flows: {
    login: LoginDeps;
    registration: RegistrationDeps;
    settings: SettingsDeps;
    templates: TemplateSource;
  },
): OidcDeps | undefined {
  const method = oidcMethodConfig(registry.config.document, registry.config.serve.public.baseUrl);
  if (!method.ok) {
    throw new Error(
      `selfservice.methods.oidc: ${method.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  }
  if (!method.value.enabled) return undefined;
  const providers = method.value.providers;
  const deps: OidcDeps = {
    config: method.value,
    clients: createProviderClients(method.value, registry.http),
    states: createOidcStateStore(registry.database.db),
    mapper: { jsonnet: registry.jsonnet, templates: flows.templates },
    identities: registry.identities,
    login: flows.login,
    registration: flows.registration,
    settings: flows.settings,
    loginNodes: () => oidcLoginNodes(providers),
    registrationNodes: () => oidcRegistrationNodes(providers),
    settingsNodes: (identity) =>
      oidcSettingsNodes(
        providers,
        new Set(linkedProviders(identity).map((p) => p.provider)),
        signInMethodCount(identity) > 1,
      ),
    now: () => new Date(),
  };
  flows.login.oidc = deps;
  flows.registration.oidc = deps;
  flows.settings.oidc = deps;
  return deps;
}
