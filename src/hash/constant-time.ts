/** Constant-time comparison for every hand-made hash check. */
import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two byte strings without leaking where they differ. Only the lengths, which are part
 * of the public hash format, are compared in variable time.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}
