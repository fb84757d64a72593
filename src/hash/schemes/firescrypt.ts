/**
 * Firebase's modified scrypt, in Kratos's layout:
 * `$firescrypt$ln=<mem_cost>,r=<rounds>,p=<parallelization>$<salt>$<hash>$<salt_separator>$<signer_key>`,
 * all byte fields in padded base64, the parameters and keys being those of the Firebase
 * project's "password hash parameters".
 *
 * The hash is the project's signer key encrypted with AES-256-CTR (zero IV) under
 * scrypt(password, salt || separator, N = 2^mem_cost, r, p, 32 bytes).
 */
import { createCipheriv } from 'node:crypto';
import { equalBytes } from '../constant-time.js';
import { decodeBase64 } from '../encoding.js';
import { boundedInteger } from './bounded-integer.js';
import { MAX_DERIVED_KEY_BYTES } from './limits.js';
import type { HashScheme } from './scheme.js';
import { deriveScrypt, type ScryptParams, scryptParamsAcceptable } from './scrypt-kdf.js';

const FIRESCRYPT = /^\$firescrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]*)\$([^$]*)\$([^$]*)\$([^$]*)$/;

function encryptSignerKey(key: Buffer, signerKey: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(signerKey), cipher.final()]);
}

/** `$firescrypt$ln=..,r=..,p=..$salt$hash$salt_separator$signer_key`. */
export const firescryptScheme: HashScheme = {
  id: 'firescrypt',
  claims: (encoded) => encoded.startsWith('$firescrypt$'),
  decode(encoded) {
    const match = FIRESCRYPT.exec(encoded);
    if (match === null) return undefined;
    const [, ln, r, p, saltText, hashText, separatorText, signerKeyText] = match;
    const memCost = boundedInteger(ln!, 1, 30);
    const blockSize = boundedInteger(r!, 1, 1024);
    const parallelism = boundedInteger(p!, 1, 1024);
    if (memCost === undefined || blockSize === undefined || parallelism === undefined) return undefined;
    const params: ScryptParams = { cost: 2 ** memCost, blockSize, parallelism };
    const salt = decodeBase64(saltText!);
    const hash = decodeBase64(hashText!);
    const separator = decodeBase64(separatorText!);
    const signerKey = decodeBase64(signerKeyText!);
    if (!scryptParamsAcceptable(params) || !salt || !hash || !separator || !signerKey) return undefined;
    // The hash is the encrypted signer key, so the two have one length.
    if (hash.length === 0 || hash.length !== signerKey.length || hash.length > MAX_DERIVED_KEY_BYTES)
      return undefined;
    const saltAndSeparator = Buffer.concat([salt, separator]);
    return {
      scheme: 'firescrypt',
      matches: async (password) => {
        const key = await deriveScrypt(password, saltAndSeparator, 32, params);
        return equalBytes(encryptSignerKey(key, signerKey), hash);
      },
    };
  },
};
