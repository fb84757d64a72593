import type { Identity } from '../../identity/model.js';
import type { ReturnToValidator } from '../../kernel/return-to.js';
import type { FlowStore } from '../../persistence/flow-store.js';
import type { TrustedProxies } from '../../ratelimit/index.js';
import type { SessionManager } from '../../session/manager.js';
import type { TokenSources } from '../../session/request-token.js';
import type { FlowType, SelfServiceFlow } from '../flow/flow.js';
import type { CookieSettings } from '../flow/http-context.js';
import type { UiText } from '../flow/messages.js';
import type { HookRunner } from '../hooks/runner.js';
import type { OneTimeDeps } from '../one-time/deps.js';

/** Where a successful recovery continues: a settings flow for the recovered identity. */
export type StartSettingsFlow = (input: {
  type: FlowType;
  identity: Identity;
  requestUrl: string;
  returnTo: string | null;
  csrfToken?: string;
  csrfBinding?: string;
  /** Messages the settings form opens with (1060001: how long the session may change things). */
  notice?: UiText[];
}) => Promise<SelfServiceFlow>;

/** What the recovery flow needs; app/selfservice.ts provides it. */
export interface RecoveryDeps extends OneTimeDeps {
  flows: FlowStore;
  sessions: SessionManager;
  identityById(id: string): Promise<Identity | undefined>;
  startSettings: StartSettingsFlow;
  trustedProxies: TrustedProxies;
  cookies: CookieSettings;
  /** The flows' web hooks; absent in tests that run none. */
  hooks?: HookRunner;
  tokens: TokenSources;
  returnTo: ReturnToValidator;
}
