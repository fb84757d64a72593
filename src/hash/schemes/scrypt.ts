/**
 * Kratos's scrypt format: `$scrypt$ln=<N>,r=<r>,p=<p>$<salt>$<key>`, salt and key in padded
 * base64. Despite the name, Kratos reads `ln` as N itself, not its logarithm
 * (`$scrypt$ln=16384,r=8,p=1$...` is N = 16384); we do the same so Kratos imports verify.
 */
import { equalBytes } from '../constant-time.js';
import { decodeBase64 } from '../encoding.js';
import { boundedInteger } from './bounded-integer.js';
import { MAX_DERIVED_KEY_BYTES, MIN_DERIVED_KEY_BYTES } from './limits.js';
import type { HashScheme } from './scheme.js';
import { deriveScrypt, type ScryptParams, scryptParamsAcceptable } from './scrypt-kdf.js';

const SCRYPT = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]*)\$([^$]*)$/;

/** `$scrypt$ln=<N>,r=..,p=..$salt$key`. */
export const scryptScheme: HashScheme = {
  id: 'scrypt',
  claims: (encoded) => encoded.startsWith('$scrypt$'),
  decode(encoded) {
    const match = SCRYPT.exec(encoded);
    if (match === null) return undefined;
    const [, n, r, p, saltText, keyText] = match;
    const cost = boundedInteger(n!, 2, 2 ** 30);
    const blockSize = boundedInteger(r!, 1, 1024);
    const parallelism = boundedInteger(p!, 1, 1024);
    const salt = decodeBase64(saltText!);
    const key = decodeBase64(keyText!);
    if (cost === undefined || blockSize === undefined || parallelism === undefined) return undefined;
    const params: ScryptParams = { cost, blockSize, parallelism };
    if (!scryptParamsAcceptable(params) || salt === undefined || key === undefined) return undefined;
    if (key.length < MIN_DERIVED_KEY_BYTES || key.length > MAX_DERIVED_KEY_BYTES) return undefined;
    return {
      scheme: 'scrypt',
      matches: async (password) => equalBytes(await deriveScrypt(password, salt, key.length, params), key),
    };
  },
};
