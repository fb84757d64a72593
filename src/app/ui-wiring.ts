import type { SelfServiceConfig } from '../config/index.js';
import type { JsonObject } from '../identity/model.js';
import { authorizationOrigin } from '../selfservice/strategies/oidc/presets.js';
import { resolveUiConfig } from '../ui/config.js';
import type { UiDeps } from '../ui/deps.js';
import type { Registry } from './registry.js';
import type { SelfService } from './selfservice.js';

const FLOWS = ['login', 'registration', 'verification', 'recovery', 'settings'] as const;
const METHODS = [
  'password',
  'profile',
  'code',
  'link',
  'oidc',
  'totp',
  'lookup_secret',
  'webauthn',
  'passkey',
];

/**
 * Every URL a browser may be sent to after posting a flow's form: the flows' UIs, the return
 * URLs after each method, the default and the allowed return URLs. The pages' CSP `form-action`
 * must allow them, since browsers apply it to the redirects that follow a form post.
 */
export function formTargets(
  config: SelfServiceConfig,
  settingsAfter: (method: string) => string | undefined,
): string[] {
  const urls = [config.defaultReturnUrl, config.logout.returnUrl, ...config.allowedReturnUrls];
  if (config.error.uiUrl !== undefined) urls.push(config.error.uiUrl);
  for (const flow of FLOWS) {
    urls.push(config[flow].uiUrl);
    for (const method of METHODS) urls.push(config[flow].after.returnUrl(method));
  }
  for (const method of METHODS) {
    const url = settingsAfter(method);
    if (url !== undefined) urls.push(url);
  }
  return [...new Set(urls)];
}

/** Wires the built-in UI from the registry and the flows' deps. */
export function buildUiDeps(registry: Registry, selfService: SelfService): UiDeps {
  const config = resolveUiConfig(registry.config.document);
  const login = selfService.login;
  const publicBase = login.publicBase;
  if (!config.enabled) {
    const own = new URL('ui/', publicBase).toString();
    const pointing = FLOWS.filter((flow) => login.config[flow].uiUrl.startsWith(own));
    if (pointing.length > 0) {
      registry.logger.warn(
        { flows: pointing },
        'ui.enabled is false but these flows still send browsers to /ui: set selfservice.flows.<flow>.ui_url',
      );
    }
  }
  return {
    config,
    selfService: login.config,
    publicBase,
    flows: login.flows,
    cookies: login.cookies,
    tokens: login.tokens,
    sessions: registry.sessions,
    errors: selfService.errors,
    schemaDocument: (schemaId) => registry.schemas.get(schemaId)?.document as JsonObject | undefined,
    ...(registry.config.dev ? { inbox: registry.courier } : {}),
    csp: {
      images: config.logoUrl === undefined ? [] : [config.logoUrl],
      formTargets: [
        publicBase.toString(),
        ...formTargets(login.config, selfService.settings.afterReturnUrl),
        // The provider buttons' posts end at the providers' sign-in pages.
        ...(selfService.oidc?.clients.list().flatMap((c) => authorizationOrigin(c.config) ?? []) ?? []),
      ],
    },
    cwd: process.cwd(),
    now: login.now,
  };
}
