import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { CodeFlowKind, CodeMethod } from '../../persistence/code-store.js';

/** A 6-digit code, uniformly drawn (leading zeros kept). */
export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A link token: 32 random bytes, URL-safe. */
export function generateLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The keyed hashes a one-time secret is stored and looked up under: HMAC-SHA256 with each of
 * `secrets.default` (the first for new secrets, all while keys rotate), over the flow it was
 * issued in. Binding the flow in means a 6-digit code guessed for one flow is worth nothing in
 * another, and a leaked table reveals no code.
 */
export function secretHashes(
  keys: readonly string[],
  scope: { kind: CodeFlowKind; method: CodeMethod; flowId: string },
  secret: string,
): string[] {
  const message = `${scope.kind}\u0000${scope.method}\u0000${scope.flowId}\u0000${secret}`;
  return keys.map((key) => createHmac('sha256', key).update(message).digest('base64url'));
}
