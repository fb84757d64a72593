/**
 * md5-crypt (crypt(3) `$1$`), in Kratos's spelling `$md5-crypt$<salt>$<hash>`: salt of up to 8
 * characters (may be empty), 22 characters of hash in the crypt alphabet.
 */
import { createHash } from 'node:crypto';
import { equalBytes } from '../constant-time.js';
import { encodeCrypt64 } from '../encoding.js';
import type { HashScheme } from './scheme.js';

const MD5_CRYPT = /^\$md5-crypt\$([^$]{0,8})\$([./0-9A-Za-z]{22})$/;

const MAGIC = Buffer.from('$1$');
const TRIPLES = [
  [0, 6, 12, 4],
  [1, 7, 13, 4],
  [2, 8, 14, 4],
  [3, 9, 15, 4],
  [4, 10, 5, 4],
  [-1, -1, 11, 2],
] as const;

function md5(...parts: Buffer[]): Buffer {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** The 22-character md5-crypt hash of `password` with `salt` (Poul-Henning Kamp's algorithm). */
export function md5Crypt(password: Buffer, salt: Buffer): string {
  const alternate = md5(password, salt, password);
  const initial = createHash('md5').update(password).update(MAGIC).update(salt);
  for (let left = password.length; left > 0; left -= 16)
    initial.update(alternate.subarray(0, Math.min(left, 16)));
  for (let bits = password.length; bits > 0; bits >>>= 1) {
    initial.update(bits & 1 ? Buffer.alloc(1) : password.subarray(0, 1));
  }
  let digest = initial.digest();
  // 1000 rounds of MD5 over small inputs cost about a millisecond, so this stays synchronous.
  for (let round = 0; round < 1000; round++) {
    const step = createHash('md5');
    step.update(round & 1 ? password : digest);
    if (round % 3) step.update(salt);
    if (round % 7) step.update(password);
    step.update(round & 1 ? digest : password);
    digest = step.digest();
  }
  return encodeCrypt64(digest, TRIPLES);
}

/** `$md5-crypt$salt$hash`. */
export const md5CryptScheme: HashScheme = {
  id: 'md5-crypt',
  claims: (encoded) => encoded.startsWith('$md5-crypt$'),
  decode(encoded) {
    const match = MD5_CRYPT.exec(encoded);
    if (match === null) return undefined;
    const salt = Buffer.from(match[1]!, 'utf8');
    const expected = Buffer.from(match[2]!, 'latin1');
    return {
      scheme: 'md5-crypt',
      matches: async (password) => equalBytes(Buffer.from(md5Crypt(password, salt), 'latin1'), expected),
    };
  },
};
