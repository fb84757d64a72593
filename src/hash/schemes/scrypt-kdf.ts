/** node:crypto's scrypt as a promise, with the memory ceiling sized to the parameters. */
import { scrypt } from 'node:crypto';
import { MAX_SCRYPT_MEMORY_BYTES, MAX_SCRYPT_PARALLELISM } from './limits.js';

/** scrypt cost parameters. */
export interface ScryptParams {
  /** CPU/memory cost N, a power of two above 1. */
  cost: number;
  blockSize: number;
  parallelism: number;
}

/** Whether the parameters are valid scrypt parameters within `limits.ts`. */
export function scryptParamsAcceptable({ cost, blockSize, parallelism }: ScryptParams): boolean {
  const powerOfTwo = cost > 1 && Number.isSafeInteger(cost) && (cost & (cost - 1)) === 0;
  return (
    powerOfTwo &&
    blockSize >= 1 &&
    parallelism >= 1 &&
    parallelism <= MAX_SCRYPT_PARALLELISM &&
    128 * cost * blockSize <= MAX_SCRYPT_MEMORY_BYTES
  );
}

/** Derives an scrypt key on the libuv threadpool. */
export function deriveScrypt(
  password: Buffer,
  salt: Buffer,
  length: number,
  params: ScryptParams,
): Promise<Buffer> {
  const { cost: N, blockSize: r, parallelism: p } = params;
  // OpenSSL needs 128·r·(N + p + 2) bytes; Node's default ceiling (32 MiB) is below common
  // parameters, so size it to this hash (already bounded by scryptParamsAcceptable).
  const maxmem = 128 * r * (N + p + 2) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, { N, r, p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
