import type { AddressVia, Identity } from '../../identity/model.js';
import type { ReturnToValidator } from '../../kernel/return-to.js';
import { type FlowType, newFlow } from '../flow/flow.js';
import { publicUrl } from '../flow/request-url.js';
import { type ContinueWith, flowUiUrl } from '../flow/respond.js';
import { uiContainer } from '../flow/ui.js';
import { issueSecret, smsCanCarry } from '../one-time/deliver.js';
import type { MailLimitDecision } from '../one-time/deps.js';
import type { VerificationDeps } from './deps.js';
import { sentForm, withSentAddress } from './flow.js';
import { activeMethodEnabled } from './methods.js';
import type { VerificationSender } from './sender.js';

/** Where the sender reports an address it could not check against the mail limit; pino fits. */
export interface VerificationSenderLogger {
  warn(obj: object, msg: string): void;
}

// Until a logger is given, a limiter failure still leaves a trace (a Node process warning).
const PROCESS_WARNINGS: VerificationSenderLogger = {
  warn: (_obj, msg) => process.emitWarning(msg, { code: 'PORTCULLIS_VERIFICATION_NOT_SENT' }),
};

/** A verification flow the server started for one address, its message queued. */
export interface StartedVerification {
  flowId: string;
  /** The address the flow verifies (the value of one of the identity's verifiable addresses). */
  address: string;
  /** The flow's type: the originating flow's. */
  type: FlowType;
  /** `<verification ui_url>?flow=<id>`, whatever the type (callers decide whether to show it). */
  uiUrl: string;
}

/** The originating flow, as {@link VerificationSender.sendForAddresses} takes it. */
export type VerificationOrigin = Parameters<VerificationSender['sendForAddresses']>[2];

/**
 * The sender with Kratos's two ways of starting verification from other flows: the Verifier
 * (after registration and settings, and the login `verification` hook) and the
 * AddressVerifier (`require_verified_address`).
 */
export interface VerificationStarter extends VerificationSender {
  /**
   * As Kratos's Verifier.do: for each of `addresses` that is an unverified address of the
   * identity (in the identity's order), a verification flow of its own, already in
   * `sent_email`, and a message to that address only, so each message verifies its address:
   * an email, or an SMS for an address whose `via` is `sms` (with the code method only: Kratos
   * sends links by email only).
   * With `each` false (Kratos's default) only the first such address gets one, as Kratos
   * stops after it; with `each` (`feature_flags.legacy_continue_with_verification_ui`) every
   * one does. Empty when verification is disabled or no address needs it.
   */
  start(
    identity: Identity,
    addresses: readonly string[],
    context: VerificationOrigin,
    options: { each: boolean },
  ): Promise<StartedVerification[]>;
}

/**
 * Verification started by the server: after registration, when settings changed an address,
 * after a login (the `verification` hook) or when `require_verified_address` refused one.
 * Each address gets its own flow, already in `sent_email`, with a message to that address, which
 * leads where the originating flow asked (see postHookTarget).
 *
 * It runs after the identity (and maybe a session) was committed, so a failure here must not
 * fail the request: an address whose mail limit cannot be checked is not mailed, and logged;
 * with the `use` method switched off (`selfservice.methods.<use>.enabled: false`) nothing is
 * started, and that is logged. The person can ask for a code again from the verification flow.
 */
export function createVerificationSender(
  deps: VerificationDeps,
  logger: VerificationSenderLogger = PROCESS_WARNINGS,
): VerificationStarter {
  /** The limit's decision, or "not allowed" when the limiter fails (logged: nothing is sent). */
  async function mailAllowed(identityId: string, address: string): Promise<boolean> {
    let limit: MailLimitDecision;
    try {
      limit = await deps.mailLimit('verification', address);
    } catch (error) {
      logger.warn(
        { identity_id: identityId, err: error instanceof Error ? error.name : typeof error },
        'verification mail limit unavailable; the verification message was not sent',
      );
      return false;
    }
    return limit.allowed;
  }

  /**
   * Whether an SMS may go under `security.sms_limit` (see sms-limit.ts). Past a cap, or when the
   * counters fail, nothing is sent and the operator is told; the flow answers as if it had been
   * sent, so the client learns nothing of the cap (as the per-address limit here).
   */
  async function smsAllowed(identityId: string, clientIp: string | undefined): Promise<boolean> {
    try {
      const decision = await deps.smsLimit.allow(clientIp);
      if (decision.allowed) return true;
      logger.warn(
        { identity_id: identityId, limit: `security.sms_limit.${decision.cap}` },
        'verification SMS cap reached (possible SMS pumping); the verification SMS was not sent',
      );
    } catch (error) {
      logger.warn(
        { identity_id: identityId, err: error instanceof Error ? error.name : typeof error },
        'verification SMS limit unavailable; the verification SMS was not sent',
      );
    }
    return false;
  }

  /** One flow in `sent_email` for `address`, and its message (unless the mail limit says no). */
  async function startOne(
    identity: Identity,
    address: string,
    via: AddressVia,
    context: VerificationOrigin,
  ): Promise<StartedVerification> {
    const method = deps.config.verification.use;
    const now = deps.now();
    const target = postHookTarget(deps.returnTo, context.requestUrl);
    const flow = newFlow({
      kind: 'verification',
      type: context.type,
      requestUrl: target.requestUrl,
      returnTo: target.returnTo,
      lifespanMs: deps.config.verification.lifespanMs,
      ui: (id) => {
        const form = sentForm(deps, context.type, undefined, address, via);
        return uiContainer(
          publicUrl(deps.publicBase, `self-service/verification?flow=${id}`),
          form.nodes,
          form.messages,
        );
      },
      now,
    });
    flow.state = 'sent_email';
    flow.active = method;
    flow.internal = withSentAddress(flow.internal, address, via);
    await deps.flows.create(flow);
    const lifespanMs = method === 'code' ? deps.config.code.lifespanMs : deps.config.link.lifespanMs;
    // The per-address limit guards these too: settings could otherwise mail any address repeatedly.
    // An SMS is also capped per client IP and in all: a new number is a new address.
    if (
      (await mailAllowed(identity.id, address)) &&
      (via !== 'sms' || (await smsAllowed(identity.id, context.clientIp)))
    ) {
      await issueSecret(
        deps,
        {
          kind: 'verification',
          method,
          flowId: flow.id,
          identityId: identity.id,
          address,
          via,
          expiresAt: new Date(now.getTime() + lifespanMs),
          origin: { requestUrl: flow.request_url, transientPayload: context.transientPayload },
        },
        // A new flow has no earlier secret to revoke.
        { replaceEarlier: false },
      );
    }
    return {
      flowId: flow.id,
      address,
      type: context.type,
      uiUrl: flowUiUrl(deps.config.verification.uiUrl, flow.id),
    };
  }

  async function start(
    identity: Identity,
    addresses: readonly string[],
    context: VerificationOrigin,
    options: { each: boolean },
  ): Promise<StartedVerification[]> {
    if (!deps.config.verification.enabled) return [];
    const wanted = new Set(addresses);
    const unverified = identity.verifiable_addresses.filter((a) => !a.verified && wanted.has(a.value));
    // As Kratos's code sender: an address whose via is sms gets its code by SMS. Kratos's link
    // sender sends email only (it fails the request once the identity is saved); here such an
    // address gets no message, and the operator is told.
    const method = deps.config.verification.use;
    const targets = unverified.filter((a) => a.via === 'email' || smsCanCarry('verification', method));
    if (targets.length < unverified.length) {
      logger.warn(
        { identity_id: identity.id, method },
        'verification links are sent by email only; an address verified by sms got no verification message',
      );
    }
    if (targets.length === 0) return [];
    if (!activeMethodEnabled(deps)) {
      // Kratos's Verifier fails on GetActiveVerificationStrategy (400) once the identity is
      // saved: its registration or settings answers an error although the change was made.
      // Here the change stands, nothing is mailed (a code for a switched-off method could not
      // be used: see assertMethodEndpointEnabled) and the operator is told.
      logger.warn(
        { identity_id: identity.id, method: deps.config.verification.use },
        'the verification method (selfservice.flows.verification.use) is not enabled; no verification message was sent',
      );
      return [];
    }
    const started: StartedVerification[] = [];
    for (const address of options.each ? targets : targets.slice(0, 1)) {
      started.push(await startOne(identity, address.value, address.via, context));
    }
    return started;
  }

  return {
    start,
    async sendForAddresses(identity, addresses, context) {
      const started = await start(identity, addresses, context, {
        each: deps.config.featureFlags.legacyContinueWithVerificationUi,
      });
      // Kratos sets the UI's URL for browser flows only: a native app shows its own screen.
      return started.map((s) =>
        s.type === 'browser'
          ? { flowId: s.flowId, address: s.address, url: s.uiUrl }
          : { flowId: s.flowId, address: s.address },
      );
    },
  };
}

/**
 * The `show_verification_ui` items of a registration's or login's `continue_with` for the
 * verification flows the Verifier started, as Kratos master: with
 * `feature_flags.legacy_continue_with_verification_ui` one per flow (its Verifier adds each);
 * else, only when the `show_verification_ui` hook is configured, one for the flow that hook
 * reads (the last started: Kratos keeps the last in the flow's internal context). The legacy
 * flag with the hook gives one item per flow too: Kratos's hook would repeat the last one. `url`
 * for browser flows only, as Kratos's Verifier.
 */
export function showVerificationItems(
  started: readonly StartedVerification[],
  options: { legacy: boolean; hook: boolean },
): ContinueWith[] {
  const listed = options.legacy ? started : options.hook ? started.slice(-1) : [];
  return listed.map((s) => ({
    action: 'show_verification_ui' as const,
    flow: {
      id: s.flowId,
      verifiable_address: s.address,
      ...(s.type === 'browser' ? { url: s.uiUrl } : {}),
    },
  }));
}

/**
 * Where a verification flow started by another flow leads once done, as Kratos's
 * verification.NewPostHookFlow: its request URL is the originating flow's, with that flow's
 * `after_verification_return_to` (when given and not empty) as `return_to`, else keeping the
 * originating `return_to`. As Kratos's ContinueURL, a `return_to` outside
 * `selfservice.allowed_return_urls` is not followed (the flow's default applies instead).
 */
export function postHookTarget(
  validator: Pick<ReturnToValidator, 'isAllowed' | 'resolve'>,
  originRequestUrl: string,
): { requestUrl: string; returnTo: string | null } {
  let url: URL;
  try {
    url = new URL(originRequestUrl);
  } catch {
    return { requestUrl: originRequestUrl, returnTo: null };
  }
  const params = url.searchParams;
  // Rewritten only when there is something to move: editing the query re-encodes all of it.
  if (params.has('after_verification_return_to')) {
    const after = params.get('after_verification_return_to');
    if (after !== null && after !== '') params.set('return_to', after);
    params.delete('after_verification_return_to');
  }
  const wanted = params.get('return_to');
  const returnTo =
    wanted !== null && wanted !== '' && validator.isAllowed(wanted)
      ? validator.resolve(wanted).toString()
      : null;
  return { requestUrl: url.toString(), returnTo };
}
