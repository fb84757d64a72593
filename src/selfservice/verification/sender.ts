import type { Identity, JsonObject } from '../../identity/model.js';
import type { FlowType } from '../flow/flow.js';

/**
 * Starts verification for addresses that just appeared or changed (after registration, after
 * settings changed an address): opens a verification flow for the identity and queues one
 * message per address in the courier's outbox. Implemented by the verification module; other
 * flows depend on this interface only.
 */
export interface VerificationSender {
  /**
   * Starts verification of `addresses` (values of the identity's verifiable addresses that are
   * not verified yet): a verification flow and a queued message (an email, or an SMS to an
   * address whose `via` is `sms`, as Kratos's code sender) for the first of them, or for
   * each with `feature_flags.legacy_continue_with_verification_ui` (as Kratos's Verifier), and
   * returns those flows for `continue_with: show_verification_ui`, one item each (with the UI's
   * `url` for browser flows only, as Kratos); empty when verification is disabled, its method
   * switched off, or none of the addresses needs it.
   */
  sendForAddresses(
    identity: Identity,
    addresses: readonly string[],
    /**
     * The originating flow: its type, its request URL, and the `transient_payload` its step
     * was submitted with, which the messages carry in their template data (as Kratos's
     * NewPostHookFlow copies it to the verification flow).
     */
    context: {
      type: FlowType;
      requestUrl: string;
      transientPayload?: JsonObject | undefined;
      /**
       * The client's IP, read as the brute-force protection reads it (`requestClientIp` with
       * `security.brute_force.trusted_proxies`), for the per-IP cap on SMS
       * (`security.sms_limit.per_ip`); without it only the total cap applies.
       */
      clientIp?: string | undefined;
    },
  ): Promise<{ flowId: string; address: string; url?: string }[]>;
}
