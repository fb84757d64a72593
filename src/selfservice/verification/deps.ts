import type { ReturnToValidator } from '../../kernel/return-to.js';
import type { FlowStore } from '../../persistence/flow-store.js';
import type { SessionManager } from '../../session/manager.js';
import type { CookieSettings } from '../flow/http-context.js';
import type { HookRunner } from '../hooks/runner.js';
import type { OneTimeDeps } from '../one-time/deps.js';
import type { SmsLimiter } from './sms-limit.js';

/** What the verification flow needs; app/selfservice.ts provides it. */
export interface VerificationDeps extends OneTimeDeps {
  flows: FlowStore;
  /** Told when an address became verified, so cached whoami answers show it at once. */
  sessions: Pick<SessionManager, 'identityChanged'>;
  identityById(id: string): ReturnType<OneTimeDeps['identities']['get']>;
  cookies: CookieSettings;
  /** The flows' web hooks; absent in tests that run none. */
  hooks?: HookRunner;
  returnTo: ReturnToValidator;
  /** `security.sms_limit`: verification SMS per client IP and in all, against SMS pumping. */
  smsLimit: SmsLimiter;
}
