import type { CodeMethod } from '../../persistence/code-store.js';
import { secretHashes } from '../one-time/secrets.js';
import type { VerificationDeps } from './deps.js';

type ExpiredSecretDeps = Pick<VerificationDeps, 'codes' | 'secretKeys' | 'now'>;

/**
 * When a code or link token refused by the flow was one of its own, unused, but past its time:
 * the time it expired, else `undefined` (unknown, used, or replaced by a newer one). Kratos tells
 * these apart — VerificationCode.Validate and VerificationToken.Valid give flow.ExpiredError, and
 * the strategies answer it with 4070005 (the flow expired) instead of 4070001 / 4070006.
 * `useUp` spends a link token as Kratos's UseVerificationToken does before it looks at the expiry,
 * so the link clicked again is "invalid or already used"; a typed code stays (useOneTimeCode).
 */
export async function expiredSecretAt(
  deps: ExpiredSecretDeps,
  scope: { method: CodeMethod; flowId: string },
  secret: string,
  options: { useUp: boolean },
): Promise<Date | undefined> {
  const full = { kind: 'verification', ...scope } as const;
  const stored = await deps.codes.findExpired(
    'verification',
    scope.flowId,
    secretHashes(deps.secretKeys, full, secret),
    deps.now(),
    options,
  );
  return stored?.expiresAt;
}
