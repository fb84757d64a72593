import type { Identity } from '../../identity/model.js';
import type { ReturnToValidator } from '../../kernel/return-to.js';
import { newFlow } from '../flow/flow.js';
import { publicUrl } from '../flow/request-url.js';
import { flowUiUrl } from '../flow/respond.js';
import { uiContainer } from '../flow/ui.js';
import { issueSecret } from '../one-time/deliver.js';
import type { MailLimitDecision } from '../one-time/deps.js';
import type { VerificationDeps } from './deps.js';
import { sentForm } from './flow.js';
import type { VerificationSender } from './sender.js';

/** Where the sender reports an address it could not check against the mail limit; pino fits. */
export interface VerificationSenderLogger {
  warn(obj: object, msg: string): void;
}

// Until a logger is given, a limiter failure still leaves a trace (a Node process warning).
const PROCESS_WARNINGS: VerificationSenderLogger = {
  warn: (_obj, msg) => process.emitWarning(msg, { code: 'PORTCULLIS_VERIFICATION_NOT_SENT' }),
};

/**
 * Verification started by the server: after registration, or when settings changed an
 * address. One flow, already in `sent_email`, with a message to each unverified address, which
 * leads where the originating flow asked (see postHookTarget).
 *
 * It runs after the identity (and maybe a session) was committed, so a failure here must not
 * fail the request: an address whose mail limit cannot be checked is not mailed, and logged.
 * The person can ask for a code again from the verification flow.
 */
export function createVerificationSender(
  deps: VerificationDeps,
  logger: VerificationSenderLogger = PROCESS_WARNINGS,
): VerificationSender {
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

  return {
    async sendForAddresses(identity: Identity, addresses, context) {
      if (!deps.config.verification.enabled) return undefined;
      const wanted = new Set(addresses);
      const targets = identity.verifiable_addresses.filter(
        (a) => a.via === 'email' && !a.verified && wanted.has(a.value),
      );
      const first = targets[0];
      if (first === undefined) return undefined;
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
          const form = sentForm(deps, context.type, undefined, first.value);
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
      flow.internal = { address: first.value };
      await deps.flows.create(flow);
      const lifespanMs = method === 'code' ? deps.config.code.lifespanMs : deps.config.link.lifespanMs;
      for (const address of targets) {
        // The per-address limit guards these too: settings could otherwise mail any address repeatedly.
        if (!(await mailAllowed(identity.id, address.value))) continue;
        await issueSecret(
          deps,
          {
            kind: 'verification',
            method,
            flowId: flow.id,
            identityId: identity.id,
            address: address.value,
            expiresAt: new Date(now.getTime() + lifespanMs),
            origin: { requestUrl: flow.request_url, transientPayload: context.transientPayload },
          },
          { replaceEarlier: false },
        );
      }
      // Kratos sets the UI's URL for browser flows only: a native app shows its own screen.
      return context.type === 'browser'
        ? { flowId: flow.id, address: first.value, url: flowUiUrl(deps.config.verification.uiUrl, flow.id) }
        : { flowId: flow.id, address: first.value };
    },
  };
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
