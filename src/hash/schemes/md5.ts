/**
 * Kratos's MD5 format: `$md5$<digest>` (unsalted) or `$md5$pf=<format>$<salt>$<digest>`, fields
 * in padded base64, the format being a salting template such as `{SALT}{PASSWORD}`.
 */
import { createHash } from 'node:crypto';
import { equalBytes } from '../constant-time.js';
import { decodeBase64 } from '../encoding.js';
import { applySaltingFormat, mentionsPassword } from './salting-format.js';
import type { HashScheme } from './scheme.js';

const UNSALTED = /^\$md5\$([^$]*)$/;
const SALTED = /^\$md5\$pf=([^$\s]+)\$([^$]*)\$([^$]*)$/;
const MD5_LENGTH = 16;

function md5(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}

/** Returns the bytes to digest for `password`, or `undefined` when `encoded` is garbled. */
function parse(encoded: string): { digest: Buffer; input: (password: Buffer) => Buffer } | undefined {
  const unsalted = UNSALTED.exec(encoded);
  if (unsalted !== null) {
    const digest = decodeBase64(unsalted[1]!);
    return digest && { digest, input: (password) => password };
  }
  const salted = SALTED.exec(encoded);
  if (salted === null) return undefined;
  const format = decodeBase64(salted[1]!);
  const salt = decodeBase64(salted[2]!);
  const digest = decodeBase64(salted[3]!);
  if (format === undefined || salt === undefined || digest === undefined || !mentionsPassword(format)) {
    return undefined;
  }
  return { digest, input: (password) => applySaltingFormat(format, salt, password) };
}

/** `$md5$digest` and `$md5$pf=..$salt$digest`. */
export const md5Scheme: HashScheme = {
  id: 'md5',
  claims: (encoded) => encoded.startsWith('$md5$'),
  decode(encoded) {
    const parsed = parse(encoded);
    if (parsed === undefined || parsed.digest.length !== MD5_LENGTH) return undefined;
    const { digest, input } = parsed;
    return { scheme: 'md5', matches: async (password) => equalBytes(md5(input(password)), digest) };
  },
};
