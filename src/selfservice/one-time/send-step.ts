import { isEmail } from '../../identity/schema/formats.js';
import { normalizeIdentifierGraceful } from '../../identity/schema/normalize.js';
import type { CodeFlowKind, CodeMethod } from '../../persistence/code-store.js';
import { issueSecret, type MessageOrigin, notifyUnknownRecipient } from './deliver.js';
import type { OneTimeDeps } from './deps.js';
import { withTimingFloor } from './equal-timing.js';

export type SendOutcome = { sent: true; address: string } | { sent: false; retryAfterSeconds: number };

/**
 * The "send me a code (or link)" step of verification and recovery. The answer is the same for
 * a known and an unknown address — same shape, same time (a floor), and no email to an unknown
 * one unless `notify_unknown_recipients` — so the form does not reveal who has an account.
 * The per-address limit applies to known and unknown addresses alike, for the same reason.
 */
export async function sendToAddress(
  deps: OneTimeDeps,
  scope: { kind: CodeFlowKind; method: CodeMethod; flowId: string },
  rawAddress: string,
  /** The flow's request_url and the step's transient_payload, for the message's template data. */
  origin: MessageOrigin,
): Promise<SendOutcome> {
  // As addresses are stored: a phone number in E.164, anything else trimmed and lower-cased.
  const address = normalizeIdentifierGraceful(rawAddress);
  const limit = await deps.mailLimit(scope.kind, address);
  if (!limit.allowed) return { sent: false, retryAfterSeconds: limit.retryAfterSeconds };
  await withTimingFloor(deps.responseFloorMs, async () => {
    // Whatever the address, the flow's earlier code stops working and its count starts again:
    // doing this only for known addresses would let an earlier code tell which ones are.
    const now = deps.now();
    await deps.codes.invalidateFlow(scope.flowId, now);
    await deps.codes.resetSubmissions(scope.flowId);
    // As Kratos's verification and recovery forms, which look up email addresses only
    // (FindVerifiableAddressByValue / FindRecoveryAddressByValue with via email). The forms refuse
    // anything else first (email-field.ts); should a phone number still get here, it gets
    // nothing — neither a code emailed to a phone number nor an SMS, which Kratos sends only for
    // the verification its Verifier starts (see send-on-change.ts).
    const byEmail = isEmail(address);
    let identityId: string | undefined;
    if (byEmail) {
      identityId =
        scope.kind === 'verification'
          ? await deps.addresses.identityIdByVerifiableAddress(address)
          : await deps.addresses.identityIdByRecoveryAddress(address);
    }
    if (identityId === undefined) {
      if (byEmail && deps.config[scope.kind].notifyUnknownRecipients)
        await notifyUnknownRecipient(deps, scope.kind, scope.method, address, origin);
      return;
    }
    const lifespanMs = scope.method === 'code' ? deps.config.code.lifespanMs : deps.config.link.lifespanMs;
    await issueSecret(
      deps,
      {
        kind: scope.kind,
        method: scope.method,
        flowId: scope.flowId,
        identityId,
        address,
        via: 'email',
        expiresAt: new Date(now.getTime() + lifespanMs),
        origin,
      },
      { replaceEarlier: false },
    );
  });
  return { sent: true, address };
}
