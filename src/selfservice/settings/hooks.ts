import type { Identity, JsonObject } from '../../identity/model.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import type { ContinueWith } from '../flow/respond.js';
import { addedAddresses } from '../strategies/profile/protected-fields.js';
import type { SettingsDeps } from './deps.js';

export interface StoredChange {
  method: 'profile' | 'password' | 'oidc';
  flow: SelfServiceFlow;
  before: Identity;
  after: Identity;
  /** The session that made the change; `revoke_active_sessions` keeps it. */
  sessionId: string;
  /** The step's `transient_payload`, for the verification messages' template data. */
  transientPayload?: JsonObject | undefined;
  /** The client's IP, for the per-IP cap on verification SMS (`security.sms_limit`). */
  clientIp?: string | undefined;
}

/**
 * What runs once a change is stored (Kratos's post-persist settings hooks): for the profile
 * method, a verification message to each verifiable address that is new and unverified (Kratos
 * adds this hook whenever verification is enabled; the sender knows whether it is), then the
 * configured `after` hooks. Returns the `continue_with` items the response carries.
 */
export async function afterSettings(
  deps: {
    verification: SettingsDeps['verification'];
    sessions: Pick<SettingsDeps['sessions'], 'revokeIdentitySessions' | 'identityChanged'>;
    config: Pick<SettingsDeps['config'], 'settings'>;
  },
  change: StoredChange,
): Promise<ContinueWith[]> {
  const continueWith: ContinueWith[] = [];
  if (change.method === 'profile') {
    const unverified = change.after.verifiable_addresses.filter((address) => !address.verified);
    const added = addedAddresses(change.before.verifiable_addresses, unverified);
    if (added.length > 0) {
      // The sender drops the cached identity once a message moved an address to `sent`.
      const started = await deps.verification.sendForAddresses(change.after, added, {
        type: change.flow.type,
        requestUrl: change.flow.request_url,
        transientPayload: change.transientPayload,
        clientIp: change.clientIp,
      });
      // One item per flow started, as Kratos's Verifier adds one per address it sends to.
      for (const sent of started) {
        continueWith.push({
          action: 'show_verification_ui',
          flow: { id: sent.flowId, verifiable_address: sent.address, ...(sent.url ? { url: sent.url } : {}) },
        });
      }
    }
  }
  for (const hook of deps.config.settings.after.hooks(change.method)) {
    // web_hook ones run in the hook runner (submit.ts); verify_new_address and
    // notify_previous_addresses are refused when the config is read (config/areas/selfservice.ts).
    if (hook.hook === 'revoke_active_sessions') {
      await deps.sessions.revokeIdentitySessions(change.after.id, change.sessionId);
    }
  }
  return continueWith;
}
