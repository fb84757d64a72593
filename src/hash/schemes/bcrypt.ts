/**
 * bcrypt modular-crypt strings: `$2a$`, `$2b$` or `$2y$`, a two-digit cost, then 22 characters of
 * salt and 31 of hash in bcrypt's own base64 alphabet.
 */
import { BCRYPT_MAX_PASSWORD_BYTES } from '../errors.js';
import { sharedHashPool } from '../hash-pool.js';
import { boundedInteger } from './bounded-integer.js';
import type { HashScheme } from './scheme.js';

const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;

/** The cost of a bcrypt string, or `undefined` when it is not one. */
export function bcryptCostOf(encoded: string): number | undefined {
  const match = BCRYPT.exec(encoded);
  return match === null ? undefined : boundedInteger(match[1]!, 4, 31);
}

/** `$2a$`, `$2b$`, `$2y$` bcrypt hashes. */
export const bcryptScheme: HashScheme = {
  id: 'bcrypt',
  claims: (encoded) => /^\$2[abxyz]?\$/.test(encoded),
  decode(encoded) {
    const cost = bcryptCostOf(encoded);
    if (cost === undefined) return undefined;
    return {
      scheme: 'bcrypt',
      runsInHashPool: true,
      // bcrypt reads only the first 72 bytes; a longer password would match on its prefix
      // alone, so it never matches (as in Kratos).
      matches: async (password) =>
        password.length <= BCRYPT_MAX_PASSWORD_BYTES &&
        sharedHashPool().bcryptVerify(password, encoded, cost),
    };
  },
};
