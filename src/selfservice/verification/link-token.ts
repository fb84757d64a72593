import { secretHashes } from '../one-time/secrets.js';
import type { VerificationDeps } from './deps.js';
import { expiredSecretAt } from './expired-secret.js';

type LinkTokenDeps = Pick<VerificationDeps, 'codes' | 'secretKeys' | 'now'>;

export type LinkTokenResult =
  | { ok: true; identityId: string; address: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'expired'; expiredAt: Date };

/**
 * A link token (`use: link`) checked as Kratos's UseVerificationToken: the flow's unused,
 * unexpired token is used up, and nothing is counted against the flow's tries. Kratos counts
 * typed codes only (`selfservice.methods.code.config.max_submissions`, see redeemSecret): a
 * token of 32 random characters is not guessed, and counting clicks would let a mail scanner
 * (or a person clicking a used link a few times) spend the flow's token. The flow's own token
 * past its time is `expired` (and used up), as Kratos's VerificationToken.Valid tells it apart.
 */
export async function redeemLinkToken(
  deps: LinkTokenDeps,
  flowId: string,
  token: string,
): Promise<LinkTokenResult> {
  const scope = { kind: 'verification', method: 'link', flowId } as const;
  const stored = await deps.codes.consume(
    'verification',
    flowId,
    secretHashes(deps.secretKeys, scope, token),
    deps.now(),
  );
  if (stored) return { ok: true, identityId: stored.identityId, address: stored.address };
  const expiredAt = await expiredSecretAt(deps, { method: 'link', flowId }, token, { useUp: true });
  return expiredAt === undefined
    ? { ok: false, reason: 'invalid' }
    : { ok: false, reason: 'expired', expiredAt };
}
