import type { CodeFlowKind, CodeMethod } from '../../persistence/code-store.js';
import type { OneTimeDeps } from './deps.js';
import { secretHashes } from './secrets.js';

/** What a submitted code or link token came to. */
export type Redemption =
  | { ok: true; identityId: string; address: string }
  | { ok: false; reason: 'invalid' | 'too_many' }
  /** The flow's own unused secret, past its time. */
  | { ok: false; reason: 'expired'; expiredAt: Date };

/**
 * A code or link token submitted to a recovery or verification flow, checked as Kratos's code and
 * link strategies check theirs:
 *
 * - A typed code counts against the flow's tries (`max_submissions`, see triedTooOften) before it
 *   is looked at. A link token does not (UseRecoveryToken, UseVerificationToken count nothing): 32
 *   random characters are not guessed, and counting clicks would let a mail scanner, or a person
 *   clicking a used link a few times, spend the flow's real link.
 * - The matching secret is consumed atomically, so it is redeemed once.
 * - The flow's own secret past its time is `expired`, not `invalid`, as Kratos's Validate / Valid
 *   give flow.ExpiredError, which both flows answer with a new flow saying so (4060005, 4070005).
 *   A link token is used up on the way, as Kratos uses it before it looks at the expiry (the link
 *   clicked again is "invalid or already used"); a typed code stays as it was (useOneTimeCode).
 */
export async function redeemOneTimeSecret(
  deps: OneTimeDeps,
  scope: { kind: CodeFlowKind; method: CodeMethod; flowId: string },
  secret: string,
): Promise<Redemption> {
  const hashes = secretHashes(deps.secretKeys, scope, secret);
  // One instant for the count and the lookup: a code counted as tried is judged at that time.
  const now = deps.now();
  if (scope.method === 'code' && (await triedTooOften(deps, scope.flowId, now))) {
    return { ok: false, reason: 'too_many' };
  }
  const stored = await deps.codes.consume(scope.kind, scope.flowId, hashes, now);
  if (stored) return { ok: true, identityId: stored.identityId, address: stored.address };
  const expired = await deps.codes.findExpired(scope.kind, scope.flowId, hashes, deps.now(), {
    useUp: scope.method === 'link',
  });
  return expired === undefined
    ? { ok: false, reason: 'invalid' }
    : { ok: false, reason: 'expired', expiredAt: expired.expiresAt };
}

/**
 * Whether `secret` is one of the flow's secrets that would redeem now (unused, unexpired), found
 * without using it up: for a check that must refuse a redeemable secret before anything is spent
 * (a link followed in another browser than its flow's, see the recovery link's answer) while
 * leaving every other secret to redeemOneTimeSecret's answer. Counts no try.
 */
export async function isRedeemableOneTimeSecret(
  deps: OneTimeDeps,
  scope: { kind: CodeFlowKind; method: CodeMethod; flowId: string },
  secret: string,
): Promise<boolean> {
  const hashes = secretHashes(deps.secretKeys, scope, secret);
  return (await deps.codes.findRedeemable(scope.kind, scope.flowId, hashes, deps.now())) !== undefined;
}

/**
 * Counts a typed code against its flow; past `max_submissions` the flow's secrets stop working
 * (Kratos's code.ErrCodeSubmittedTooOften): a guesser gets a few tries per code sent, not a million.
 */
async function triedTooOften(deps: OneTimeDeps, flowId: string, now: Date): Promise<boolean> {
  const count = await deps.codes.countSubmission(flowId, now);
  if (count <= deps.config.code.maxSubmissions) return false;
  await deps.codes.invalidateFlow(flowId, now);
  return true;
}
