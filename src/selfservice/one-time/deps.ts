import type { Kysely } from 'kysely';
import type { SelfServiceConfig } from '../../config/index.js';
import type { Courier } from '../../courier/index.js';
import type { JsonObject } from '../../identity/model.js';
import type { AddressStore } from '../../persistence/address-store.js';
import type { CodeStore } from '../../persistence/code-store.js';
import type { IdentityStore } from '../../persistence/identity-store.js';
import type { Tables } from '../../persistence/tables.js';
import type { SessionManager } from '../../session/manager.js';

/** Outcome of the per-address send limit. */
export type MailLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * What sending and checking one-time codes and links needs; shared by the verification and
 * recovery flows.
 */
export interface OneTimeDeps {
  db: Kysely<Tables>;
  codes: CodeStore;
  addresses: AddressStore;
  identities: IdentityStore;
  /** Told when a message moved an address from `pending` to `sent`: whoami's cache drops the identity. */
  sessions: Pick<SessionManager, 'identityChanged'>;
  courier: Pick<Courier, 'queueMessage'>;
  /** `secrets.default`: codes are stored as HMACs under the first key, looked up under all. */
  secretKeys: readonly string[];
  /** At most so many messages per address and flow kind in a window, against mail bombing. */
  mailLimit(kind: 'verification' | 'recovery', address: string): Promise<MailLimitDecision>;
  /**
   * The identity as its owner may see it, for the `Identity` template variable of messages; for
   * web hooks (`audience: 'hooks'`) with `metadata_admin` too, as the login, registration and
   * settings hooks get it (beyond Kratos, which leaves it out everywhere: ory/kratos#3894).
   */
  identityJson(identityId: string, audience?: 'owner' | 'hooks'): Promise<JsonObject | undefined>;
  config: SelfServiceConfig;
  publicBase: URL;
  /** How long a send request takes at least, whether the address is known or not. */
  responseFloorMs: number;
  now(): Date;
}
