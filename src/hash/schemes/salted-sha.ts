/**
 * Kratos's salted SHA format: `$sha1$pf=<format>$<salt>$<digest>` (also `$sha256$`, `$sha512$`),
 * every field in padded base64, the format being a salting template such as `{SALT}{PASSWORD}`.
 */
import { createHash } from 'node:crypto';
import { equalBytes } from '../constant-time.js';
import { decodeBase64 } from '../encoding.js';
import { applySaltingFormat, mentionsPassword } from './salting-format.js';
import type { HashScheme } from './scheme.js';

const SALTED_SHA = /^\$(sha1|sha256|sha512)\$pf=([^$\s]+)\$([^$]*)\$([^$]*)$/;

const DIGEST_LENGTH = { sha1: 20, sha256: 32, sha512: 64 } as const;

/** `$sha1$pf=..$salt$digest`, `$sha256$...`, `$sha512$...`. */
export const saltedShaScheme: HashScheme = {
  id: 'salted-sha',
  claims: (encoded) => /^\$sha(1|256|512)\$/.test(encoded),
  decode(encoded) {
    const match = SALTED_SHA.exec(encoded);
    if (match === null) return undefined;
    const algorithm = match[1] as keyof typeof DIGEST_LENGTH;
    const format = decodeBase64(match[2]!);
    const salt = decodeBase64(match[3]!);
    const digest = decodeBase64(match[4]!);
    if (format === undefined || salt === undefined || digest === undefined) return undefined;
    if (!mentionsPassword(format) || digest.length !== DIGEST_LENGTH[algorithm]) return undefined;
    return {
      scheme: 'salted-sha',
      matches: async (password) =>
        equalBytes(
          createHash(algorithm)
            .update(applySaltingFormat(format, salt, password))
            .digest(),
          digest,
        ),
    };
  },
};
