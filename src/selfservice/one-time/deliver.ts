import type { CourierTemplateData, CourierTemplateType, QueuedMessage } from '../../courier/index.js';
import type { AddressVia, JsonObject } from '../../identity/model.js';
import type { CodeFlowKind, CodeMethod } from '../../persistence/code-store.js';
import { publicUrl } from '../flow/request-url.js';
import type { OneTimeDeps } from './deps.js';
import { generateCode, generateLinkToken, secretHashes } from './secrets.js';

/**
 * What the message tells of the flow it belongs to, as Kratos's template models do
 * (`RequestURL: f.GetRequestURL()`, `TransientPayload: x.ParseRawMessageOrEmpty(f.GetTransientPayload())`).
 */
export interface MessageOrigin {
  /** The flow's `request_url`. */
  requestUrl: string;
  /** The `transient_payload` submitted with the step that sends the message; `{}` when none. */
  transientPayload: JsonObject | undefined;
}

export interface Delivery {
  kind: CodeFlowKind;
  method: CodeMethod;
  flowId: string;
  identityId: string;
  /** The address the message goes to ('' for codes an admin hands out). */
  address: string;
  /**
   * The address's channel (its `via`): `email` when not given. An `sms` address gets an SMS,
   * which exists for verification codes only (see {@link SmsNotSupportedError}).
   */
  via?: AddressVia;
  expiresAt: Date;
  /** For the message's `RequestURL` and `TransientPayload`; only needed when a message is queued. */
  origin?: MessageOrigin;
}

/** The template variables every message of a flow carries, as Kratos fills them. */
function originData(origin: MessageOrigin | undefined): {
  RequestURL: string;
  TransientPayload: JsonObject;
} {
  return { RequestURL: origin?.requestUrl ?? '', TransientPayload: origin?.transientPayload ?? {} };
}

/** The template of a message for a known address, by flow kind and method. */
function validTemplate(kind: CodeFlowKind, method: CodeMethod): CourierTemplateType {
  if (kind === 'verification') return method === 'code' ? 'verification_code_valid' : 'verification_valid';
  return method === 'code' ? 'recovery_code_valid' : 'recovery_valid';
}

function invalidTemplate(kind: CodeFlowKind, method: CodeMethod): CourierTemplateType {
  if (kind === 'verification')
    return method === 'code' ? 'verification_code_invalid' : 'verification_invalid';
  return method === 'code' ? 'recovery_code_invalid' : 'recovery_invalid';
}

/**
 * A message that cannot go by SMS: Kratos sends SMS for verification codes only (its link
 * sender and its form-based recovery send email only), so a link, or recovery, to an address
 * whose `via` is `sms` has no message. Callers check {@link smsCanCarry} first; this is thrown
 * before anything is issued when one did not.
 */
export class SmsNotSupportedError extends Error {
  readonly code = 'sms_not_supported';
  constructor(kind: CodeFlowKind, method: CodeMethod) {
    super(`no ${kind} ${method} message is sent by SMS (Kratos sends SMS for verification codes only)`);
    this.name = 'SmsNotSupportedError';
  }
}

/** Whether an SMS can carry this flow's secret: a verification code only, as in Kratos. */
export function smsCanCarry(kind: CodeFlowKind, method: CodeMethod): boolean {
  return kind === 'verification' && method === 'code';
}

/**
 * The message carrying a new secret, by the address's channel: an SMS with the code (Kratos's
 * SMS model: no link), or an email with the code and/or the link.
 */
function secretMessage(
  deps: Pick<OneTimeDeps, 'publicBase'>,
  delivery: Delivery,
  secret: string,
  common: Pick<CourierTemplateData, 'ExpiresInMinutes' | 'Identity' | 'RequestURL' | 'TransientPayload'>,
): QueuedMessage {
  const to = delivery.address;
  if (delivery.via === 'sms') {
    return {
      via: 'sms',
      recipient: to,
      template: 'verification_code_valid',
      data: { To: to, VerificationCode: secret, ...common },
    };
  }
  const link = secretLink(deps, delivery, secret);
  const data =
    delivery.kind === 'verification'
      ? {
          To: to,
          VerificationURL: link,
          ...(delivery.method === 'code' ? { VerificationCode: secret } : {}),
        }
      : // A recovery code is typed into the form of the browser that asked for it; a link
        // carrying it would sign in whichever browser opens it (Kratos sends none either).
        delivery.method === 'code'
        ? { To: to, RecoveryCode: secret }
        : { To: to, RecoveryURL: link };
  return {
    recipient: to,
    template: validTemplate(delivery.kind, delivery.method),
    data: { ...data, ...common },
  };
}

/**
 * The link a message carries, always on the configured public base URL (never the request's
 * Host header, which an attacker could set to receive the secret): the flow's submit URL with
 * the code or token, so following it completes the flow.
 */
export function secretLink(
  deps: Pick<OneTimeDeps, 'publicBase'>,
  delivery: Pick<Delivery, 'kind' | 'method' | 'flowId'>,
  secret: string,
): string {
  const param = delivery.method === 'code' ? 'code' : 'token';
  return publicUrl(
    deps.publicBase,
    `self-service/${delivery.kind}?flow=${encodeURIComponent(delivery.flowId)}&${param}=${encodeURIComponent(secret)}`,
  );
}

/**
 * Issues a new secret for the flow and stores it (hashed), and unless `queue` is false writes
 * the message carrying it — both in one transaction, so a message exists exactly when its
 * code does. Earlier unused secrets of the flow stop working unless `replaceEarlier` is false
 * (one flow sent to several addresses at once). Returns the secret (admins are shown it).
 */
export async function issueSecret(
  deps: OneTimeDeps,
  delivery: Delivery,
  options: { queue?: boolean; replaceEarlier?: boolean } = {},
): Promise<string> {
  const queue = options.queue ?? true;
  if (queue && delivery.via === 'sms' && !smsCanCarry(delivery.kind, delivery.method)) {
    throw new SmsNotSupportedError(delivery.kind, delivery.method);
  }
  const now = deps.now();
  const secret = delivery.method === 'code' ? generateCode() : generateLinkToken();
  const [codeHash] = secretHashes(
    deps.secretKeys,
    { kind: delivery.kind, method: delivery.method, flowId: delivery.flowId },
    secret,
  );
  if (codeHash === undefined) throw new Error('secrets.default is empty');
  if (options.replaceEarlier ?? true) {
    await deps.codes.invalidateFlow(delivery.flowId, now);
    await deps.codes.resetSubmissions(delivery.flowId);
  }
  const identity = queue ? await deps.identityJson(delivery.identityId) : undefined;
  await deps.db.transaction().execute(async (trx) => {
    await deps.codes.issue(
      trx,
      {
        flowKind: delivery.kind,
        method: delivery.method,
        flowId: delivery.flowId,
        identityId: delivery.identityId,
        address: delivery.address,
        codeHash,
        expiresAt: delivery.expiresAt,
      },
      now,
    );
    if (!queue) return;
    const minutes = Math.max(1, Math.round((delivery.expiresAt.getTime() - now.getTime()) / 60_000));
    await deps.courier.queueMessage(
      trx,
      secretMessage(deps, delivery, secret, {
        ExpiresInMinutes: minutes,
        ...(identity ? { Identity: identity } : {}),
        ...originData(delivery.origin),
      }),
    );
    if (delivery.kind === 'verification') {
      await deps.addresses.markSent(trx, delivery.identityId, delivery.address, now);
    }
  });
  if (queue && delivery.kind === 'verification') await addressSent(deps, delivery.identityId);
  return secret;
}

/**
 * Drops the identity's cached entry (every replica's), as every other writer of an identity does
 * (SessionManager.identityChanged): whoami answers from that cache and would otherwise show the
 * address `pending` until the entry expired. After the commit, so no reader can cache the old
 * row again; from the stored identity, which identityChanged needs to tell whether its sessions
 * go on.
 */
async function addressSent(deps: OneTimeDeps, identityId: string): Promise<void> {
  await deps.sessions.identityChanged(identityId, await deps.identities.get(identityId));
}

/** Tells an address with no account behind it that someone asked (`notify_unknown_recipients`). */
export async function notifyUnknownRecipient(
  deps: OneTimeDeps,
  kind: CodeFlowKind,
  method: CodeMethod,
  address: string,
  origin: MessageOrigin,
): Promise<void> {
  await deps.courier.queueMessage(deps.db, {
    recipient: address,
    template: invalidTemplate(kind, method),
    data: { To: address, ...originData(origin) },
  });
}

/** Kratos's reason once a flow's one-time code was tried too often (code.ErrCodeSubmittedTooOften). */
export const SUBMITTED_TOO_OFTEN = 'The request was submitted too often. Please request another code.';
