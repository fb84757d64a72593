// Its own file: it closes the process-wide hash pool, which no later test could use.
import { afterAll, describe, expect, it } from 'vitest';
import { HashPoolError, sharedHashPool } from './hash-pool.js';
import { createPasswordHashing } from './password-hashing.js';

describe('password verification with the hash pool out of service', () => {
  const hashing = createPasswordHashing({ argon2: { memory: '64KB', iterations: 1, parallelism: 1 } });
  let stored = '';

  afterAll(async () => {
    await sharedHashPool().close();
  });

  it('throws HashPoolError (a server fault) rather than answering "wrong password"', async () => {
    stored = await hashing.hash('correct horse');
    expect((await hashing.verify('correct horse', stored)).ok).toBe(true);
    await sharedHashPool().close();
    await expect(hashing.verify('correct horse', stored)).rejects.toBeInstanceOf(HashPoolError);
    await expect(hashing.hash('another')).rejects.toBeInstanceOf(HashPoolError);
  });
});
