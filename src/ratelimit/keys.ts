import { createHash } from 'node:crypto';

/**
 * The store key for `value` (an identifier, an IP key, an email address) in `scope`
 * (`login:identifier`, `mail:recovery`, ...). The value is SHA-256 hashed so that Redis and heap
 * dumps never hold raw emails or addresses; the scope stays readable for operators.
 *
 * Callers normalise `value` first (case, Unicode form, IPv6 prefix): this function does not.
 */
export function counterKey(scope: string, value: string): string {
  return `${scope}:${createHash('sha256').update(value, 'utf8').digest('base64url')}`;
}
