/**
 * LDAP salted SHA: `{SSHA}`, `{SSHA256}` or `{SSHA512}` followed by base64(digest(password ||
 * salt) || salt).
 */
import { createHash } from 'node:crypto';
import { equalBytes } from '../constant-time.js';
import { decodeBase64 } from '../encoding.js';
import type { HashScheme } from './scheme.js';

const SSHA = /^\{(SSHA|SSHA256|SSHA512)\}(.*)$/s;

const DIGESTS = {
  SSHA: { algorithm: 'sha1', length: 20 },
  SSHA256: { algorithm: 'sha256', length: 32 },
  SSHA512: { algorithm: 'sha512', length: 64 },
} as const;

/** `{SSHA}...`, `{SSHA256}...`, `{SSHA512}...`. */
export const sshaScheme: HashScheme = {
  id: 'ssha',
  claims: (encoded) => SSHA.test(encoded),
  decode(encoded) {
    const match = SSHA.exec(encoded);
    if (match === null) return undefined;
    const { algorithm, length } = DIGESTS[match[1] as keyof typeof DIGESTS];
    // Kratos decodes this with Go's non-strict decoder: padding required, spare bits ignored.
    const decoded = decodeBase64(match[2]!, false);
    // At least one byte of salt, as Kratos requires.
    if (decoded === undefined || decoded.length < length + 1) return undefined;
    const digest = decoded.subarray(0, length);
    const salt = decoded.subarray(length);
    return {
      scheme: 'ssha',
      matches: async (password) =>
        equalBytes(createHash(algorithm).update(password).update(salt).digest(), digest),
    };
  },
};
