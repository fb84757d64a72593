import type { JsonObject } from '../identity/model.js';
import type { LoginDeps } from '../selfservice/login/deps.js';
import type { SettingsDeps } from '../selfservice/settings/deps.js';
import {
  type BreachLookup,
  createHibpClient,
  resolvePasswordPolicyConfig,
} from '../selfservice/strategies/password/policy/index.js';
import type { VerificationSender } from '../selfservice/verification/sender.js';
import type { Registry } from './registry.js';

/** The pieces every flow shares (the login flow's deps carry them all). */
export type SharedFlowPieces = Pick<
  LoginDeps,
  'flows' | 'returnTo' | 'cookies' | 'tokens' | 'publicBase' | 'config' | 'trustedProxies' | 'now'
> & {
  /** The process's breach lookup, shared with registration so their cache is one; a new one otherwise. */
  breaches?: BreachLookup;
};

/** Wires the settings flow from the registry, the shared flow pieces and the verification sender. */
export function buildSettingsDeps(
  registry: Registry,
  shared: SharedFlowPieces,
  verification: VerificationSender,
): SettingsDeps {
  const document = registry.config.document as Record<string, unknown>;
  return {
    flows: shared.flows,
    sessions: registry.sessions,
    identities: registry.identities,
    schemas: registry.identitySchemas,
    schemaDocument: (schemaId) => registry.schemas.get(schemaId)?.document as JsonObject | undefined,
    hashing: registry.hashing,
    passwordPolicy: resolvePasswordPolicyConfig(shared.config.password.config),
    breaches: shared.breaches ?? createHibpClient(),
    trustedProxies: shared.trustedProxies,
    verification,
    returnTo: shared.returnTo,
    config: shared.config,
    afterReturnUrl: (method) => settingsAfterReturnUrl(document, method),
    publicBase: shared.publicBase,
    cookies: shared.cookies,
    tokens: shared.tokens,
    now: shared.now,
  };
}

/**
 * `selfservice.flows.settings.after.<method>.default_browser_return_url`, else
 * `selfservice.flows.settings.after.default_browser_return_url`. Unlike the other flows, settings
 * does not fall back to the global default: Kratos returns browsers to the settings UI.
 */
export function settingsAfterReturnUrl(
  document: Record<string, unknown>,
  method: string,
): string | undefined {
  const after = child(child(child(child(document, 'selfservice'), 'flows'), 'settings'), 'after');
  return text(child(after, method).default_browser_return_url) ?? text(after.default_browser_return_url);
}

function child(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const next = value[key];
  return typeof next === 'object' && next !== null && !Array.isArray(next)
    ? (next as Record<string, unknown>)
    : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
