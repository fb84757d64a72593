import type { SelfServiceConfig } from '../../config/index.js';
import type { PasswordHashing } from '../../hash/index.js';
import type { IdentityManager } from '../../identity/manager.js';
import type { JsonObject } from '../../identity/model.js';
import type { IdentitySchemas } from '../../identity/ports.js';
import type { ReturnToValidator } from '../../kernel/return-to.js';
import type { FlowStore } from '../../persistence/flow-store.js';
import type { TrustedProxies } from '../../ratelimit/index.js';
import type { SessionManager } from '../../session/manager.js';
import type { TokenSources } from '../../session/request-token.js';
import type { CookieSettings } from '../flow/http-context.js';
import type { HookRunner } from '../hooks/runner.js';
import type { OidcDeps } from '../strategies/oidc/deps.js';
import type { BreachLookup, PasswordPolicyConfig } from '../strategies/password/policy/index.js';
import type { VerificationSender } from '../verification/sender.js';

/** What the settings flow needs; app/settings-wiring.ts provides it. */
export interface SettingsDeps {
  flows: FlowStore;
  sessions: SessionManager;
  identities: IdentityManager;
  schemas: IdentitySchemas;
  /** The document of an identity schema by id (the profile form is built from the identity's own schema). */
  schemaDocument(schemaId: string): JsonObject | undefined;
  /** Tells whether a new password equals the current one (4000039). */
  hashing: Pick<PasswordHashing, 'verify'>;
  passwordPolicy: PasswordPolicyConfig;
  breaches: BreachLookup;
  /** Proxies whose X-Forwarded-For is believed: the client's IP caps the SMS it can cause. */
  trustedProxies: TrustedProxies;
  /** Sends a verification message to an email that a profile update added or changed. */
  verification: VerificationSender;
  /** The flows' web hooks; absent in tests that run none. */
  hooks?: HookRunner;
  /** The oidc method (link and unlink providers); absent when it is off. */
  oidc?: OidcDeps;
  returnTo: ReturnToValidator;
  config: SelfServiceConfig;
  /**
   * `selfservice.flows.settings.after.<method>.default_browser_return_url`, else
   * `selfservice.flows.settings.after.default_browser_return_url`; undefined when neither is set,
   * and then browsers return to the settings UI showing the saved flow, as in Kratos.
   */
  afterReturnUrl(method: string): string | undefined;
  publicBase: URL;
  cookies: CookieSettings;
  tokens: TokenSources;
  now(): Date;
}
