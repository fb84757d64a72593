import { createHash } from 'node:crypto';

/** The SHA-256 of a UTF-8 string, in hex: how single-use codes and states are kept at rest. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
