/** The argon2id hasher. */
import { randomBytes } from 'node:crypto';
import type { Argon2Params } from './config.js';
import type { Hasher } from './hasher.js';
import { deriveArgon2, formatArgon2, parseArgon2 } from './schemes/argon2.js';

/** Creates an argon2id hasher with validated parameters; hashing runs on the hash pool. */
export function createArgon2Hasher(params: Argon2Params): Hasher {
  const shape = {
    variant: 'argon2id',
    memoryKiB: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism,
  } as const;
  return {
    algorithm: 'argon2',
    canHash: () => true,
    async hash(password) {
      const salt = randomBytes(params.saltLength);
      const key = await deriveArgon2(Buffer.from(password, 'utf8'), {
        ...shape,
        salt,
        keyLength: params.keyLength,
      });
      return formatArgon2({ ...shape, salt, key });
    },
    needsRehash(encoded) {
      const hash = parseArgon2(encoded);
      return (
        hash === undefined ||
        hash.variant !== shape.variant ||
        hash.memoryKiB !== shape.memoryKiB ||
        hash.iterations !== shape.iterations ||
        hash.parallelism !== shape.parallelism ||
        hash.salt.length !== params.saltLength ||
        hash.key.length !== params.keyLength
      );
    },
  };
}
