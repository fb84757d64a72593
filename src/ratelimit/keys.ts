import { hash } from 'node:crypto';

/**
 * The store key for `value` (an identifier, an IP key, an email address) in `scope`
 * (`login:identifier`, `mail:recovery`, ...). The value is SHA-256 hashed so that Redis and heap
 * dumps never hold raw emails or addresses; the scope stays readable for operators.
 *
 * Callers normalise `value` first (case, Unicode form, IPv6 prefix): this function does not.
 */
export function counterKey(scope: string, value: string): string {
  // One-shot digest: the same SHA-256, without a Hash object per call (four per login).
  return `${scope}:${hash('sha256', value, 'base64url')}`;
}
