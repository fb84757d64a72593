import type { SelfServiceConfig } from '../../config/index.js';
import type { OAuth2Provider } from '../../hydra/index.js';
import type { IdentityManager } from '../../identity/manager.js';
import type { JsonObject } from '../../identity/model.js';
import type { IdentitySchemas } from '../../identity/ports.js';
import type { SecretCipher } from '../../kernel/cipher.js';
import type { ReturnToValidator } from '../../kernel/return-to.js';
import type { AddressStore } from '../../persistence/address-store.js';
import type { FlowStore } from '../../persistence/flow-store.js';
import type { TrustedProxies } from '../../ratelimit/index.js';
import type { SessionManager } from '../../session/manager.js';
import type { TokenSources } from '../../session/request-token.js';
import type { CookieSettings } from '../flow/http-context.js';
import type { FlowSchemas } from '../flow/identity-schema.js';
import type { UiText } from '../flow/messages.js';
import type { UiNode } from '../flow/ui.js';
import type { HookRunner } from '../hooks/runner.js';
import type { OidcDeps } from '../strategies/oidc/deps.js';
import type { BreachLookup, PasswordPolicyConfig } from '../strategies/password/policy/index.js';
import type { VerificationStarter } from '../verification/send-on-change.js';

/** What the registration flow needs; app/registry.ts provides it. */
export interface RegistrationDeps {
  flows: FlowStore;
  sessions: SessionManager;
  identities: IdentityManager;
  schemas: IdentitySchemas;
  /** The identity schemas a flow may use (`?identity_schema=`), for form nodes and value types. */
  flowSchemas: FlowSchemas;
  passwordPolicy: PasswordPolicyConfig;
  breaches: BreachLookup;
  returnTo: ReturnToValidator;
  trustedProxies: TrustedProxies;
  config: SelfServiceConfig;
  publicBase: URL;
  cookies: CookieSettings;
  tokens: TokenSources;
  /**
   * The form's nodes, traits prefilled after an error (never the password). With
   * `registration.style: profile_first` the `profile` step asks for the traits and the
   * `password` step for the password (traits carried along hidden); `unified` has one step.
   * `schemaDocument` is the flow's identity schema.
   */
  registrationNodes(schemaDocument: JsonObject, step: 'first' | 'password', values?: JsonObject): UiNode[];
  /** The flows' web hooks; absent in tests that run none. */
  hooks?: HookRunner;
  /** Starts verification of the new addresses (Kratos's Verifier); absent in tests that send none. */
  verification?: VerificationStarter;
  /** The oidc method (`selfservice.methods.oidc.enabled`); absent when it is off. */
  oidc?: OidcDeps;
  /**
   * Who holds a verifiable or recovery address, for `registration.login_hints` when the taken
   * value is an address rather than a login identifier (Kratos's ConflictingIdentity looks there
   * after the identifiers). Absent: such a conflict gets the plain 4000007.
   */
  addresses?: Pick<AddressStore, 'identityIdByVerifiableAddress' | 'identityIdByRecoveryAddress'>;
  /** Form messages of the password step (profile_first), e.g. 1040009. */
  passwordStepMessages(): UiText[];
  /** Seals a session token parked for a native app's session token exchange. */
  cipher: SecretCipher;
  /** Ory Hydra (`oauth2_provider.url`); absent when unset, and a `login_challenge` is then refused. */
  oauth2Provider?: OAuth2Provider;
  now(): Date;
}
