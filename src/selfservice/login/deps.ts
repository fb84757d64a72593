import type { SelfServiceConfig } from '../../config/index.js';
import type { PasswordHashing } from '../../hash/index.js';
import type { OAuth2Provider } from '../../hydra/index.js';
import type { SecretCipher } from '../../kernel/cipher.js';
import type { ReturnToValidator } from '../../kernel/return-to.js';
import type { FlowStore } from '../../persistence/flow-store.js';
import type { IdentityStore } from '../../persistence/identity-store.js';
import type { LoginThrottle, TrustedProxies } from '../../ratelimit/index.js';
import type { SessionManager } from '../../session/manager.js';
import type { TokenSources } from '../../session/request-token.js';
import type { CookieSettings } from '../flow/http-context.js';
import type { FlowSchemas } from '../flow/identity-schema.js';
import type { UiNode } from '../flow/ui.js';
import type { HookRunner } from '../hooks/runner.js';
import type { OidcDeps } from '../strategies/oidc/deps.js';
import type { PasswordMigrationHook } from '../strategies/password/migration-hook.js';
import type { VerificationStarter } from '../verification/send-on-change.js';

/** What the login flow needs; app/registry.ts provides it. */
export interface LoginDeps {
  flows: FlowStore;
  sessions: SessionManager;
  identities: IdentityStore;
  hashing: PasswordHashing;
  /** `migrate_hook`, when enabled (lazy migration of imported passwords). */
  migrationHook?: PasswordMigrationHook;
  /** Undefined when brute-force protection is switched off. */
  throttle: LoginThrottle | undefined;
  trustedProxies: TrustedProxies;
  returnTo: ReturnToValidator;
  config: SelfServiceConfig;
  publicBase: URL;
  cookies: CookieSettings;
  tokens: TokenSources;
  /** The flows' web hooks; absent in tests that run none. */
  hooks?: HookRunner;
  /**
   * Starts verification flows for `require_verified_address` and the `verification` hook
   * (Kratos's AddressVerifier and Verifier); absent in tests that send none.
   */
  verification?: VerificationStarter;
  /** `schema_url` of an identity's schema, for the identity hooks see. */
  schemaUrl(schemaId: string): string;
  /** The identity schemas a flow may ask for (`?identity_schema=`). */
  flowSchemas: FlowSchemas;
  /**
   * The password method's nodes, with the identifier prefilled after an error; the identifier's
   * label comes from the flow's identity schema (`identitySchema`, the default when undefined).
   */
  loginNodes(identitySchema: string | undefined, identifier?: string): UiNode[];
  /** `flows.login.style: identifier_first`; absent with the unified style. */
  identifierFirst?: IdentifierFirstDeps;
  /** The oidc method (`selfservice.methods.oidc.enabled`); absent when it is off. */
  oidc?: OidcDeps;
  /** Seals a session token parked for a native app's session token exchange. */
  cipher: SecretCipher;
  /** Ory Hydra (`oauth2_provider.url`); absent when unset, and a `login_challenge` is then refused. */
  oauth2Provider?: OAuth2Provider;
  now(): Date;
}

/** What the identifier-first login style needs beyond the unified form. */
export interface IdentifierFirstDeps {
  /** The identification step: the identifier and "Continue". */
  identifyNodes(identitySchema: string | undefined, identifier?: string): UiNode[];
  /** The credentials step: the identifier hidden, and the password when `withPassword`. */
  credentialNodes(identitySchema: string | undefined, identifier: string, withPassword: boolean): UiNode[];
  /** `security.account_enumeration.mitigate`. */
  mitigateEnumeration: boolean;
}
