import { createHash, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HasherConfigInput } from './config.js';
import { BcryptPasswordTooLongError, HashError } from './errors.js';
import { sharedHashPool } from './hash-pool.js';
import { createPasswordHashing } from './password-hashing.js';
import { Semaphore } from './semaphore.js';

// Cheap parameters so the suite stays fast; the algorithms are the real ones.
const ARGON2: HasherConfigInput = {
  algorithm: 'argon2',
  argon2: { memory: '64KB', iterations: 1, parallelism: 1 },
};
const BCRYPT: HasherConfigInput = { algorithm: 'bcrypt', bcrypt: { cost: 4 } };
const MD5_OF_TEST = '$md5$CY9rzUYh03PK3k6DJie09g==';

describe('argon2id hashing', () => {
  const hashing = createPasswordHashing(ARGON2);

  it('round-trips and writes a Kratos-style PHC string', async () => {
    const encoded = await hashing.hash('s3cret-pässword');
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hashing.verify('s3cret-pässword', encoded)).toEqual({ ok: true, needsRehash: false });
    expect(await hashing.verify('s3cret-password', encoded)).toEqual({ ok: false, needsRehash: false });
    expect(hashing.isSupportedHash(encoded)).toBe(true);
  });

  it('salts every hash', async () => {
    expect(await hashing.hash('same')).not.toBe(await hashing.hash('same'));
  });

  it('hashes passwords of 4096 characters', async () => {
    const long = '🔑'.repeat(4096);
    expect((await hashing.verify(long, await hashing.hash(long))).ok).toBe(true);
  });

  it('uses the configured salt and key lengths', async () => {
    const custom = createPasswordHashing({
      ...ARGON2,
      argon2: { ...ARGON2.argon2, salt_length: 24, key_length: 64 },
    });
    const [, , , , salt, key] = (await custom.hash('pw')).split('$');
    expect(Buffer.from(salt!, 'base64')).toHaveLength(24);
    expect(Buffer.from(key!, 'base64')).toHaveLength(64);
  });
});

describe('bcrypt hashing', () => {
  const hashing = createPasswordHashing(BCRYPT);

  it('round-trips', async () => {
    const encoded = await hashing.hash('s3cret');
    expect(encoded).toMatch(/^\$2b\$04\$/);
    expect(await hashing.verify('s3cret', encoded)).toEqual({ ok: true, needsRehash: false });
    expect((await hashing.verify('s3cret!', encoded)).ok).toBe(false);
  });

  it('hashes exactly 72 bytes but refuses 73 rather than truncating', async () => {
    const max = 'é'.repeat(36); // 72 UTF-8 bytes
    expect((await hashing.verify(max, await hashing.hash(max))).ok).toBe(true);

    const tooLong = `${max}x`;
    const error = await hashing.hash(tooLong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BcryptPasswordTooLongError);
    expect(error).toBeInstanceOf(HashError);
    expect(error).toMatchObject({ code: 'password_too_long_for_bcrypt', byteLength: 73 });
  });

  it('never matches a password over 72 bytes, even one whose prefix is the password', async () => {
    const password = 'a'.repeat(72);
    const encoded = await hashing.hash(password);
    expect((await hashing.verify(password, encoded)).ok).toBe(true);
    expect(await hashing.verify(`${password}b`, encoded)).toEqual({ ok: false, needsRehash: false });
  });
});

describe('needsRehash', () => {
  it('is true for a foreign format that matched', async () => {
    const hashing = createPasswordHashing(ARGON2);
    expect(await hashing.verify('test', MD5_OF_TEST)).toEqual({ ok: true, needsRehash: true });
    const bcryptHash = await createPasswordHashing(BCRYPT).hash('test');
    expect(await hashing.verify('test', bcryptHash)).toEqual({ ok: true, needsRehash: true });
    const argon2iHash =
      '$argon2i$v=19$m=65536,t=3,p=4$kk51rW/vxIVCYn+EG4kTSg$NyT88uraJ6im6dyha/M5jhXvpqlEdlS/9fEm7ScMb8c';
    expect(await hashing.verify('test', argon2iHash)).toEqual({ ok: true, needsRehash: true });
  });

  it('is true for argon2id with other parameters, false for the same ones', async () => {
    const current = createPasswordHashing(ARGON2);
    const encoded = await current.hash('pw');
    for (const argon2 of [
      { memory: '128KB' },
      { iterations: 2 },
      { parallelism: 2 },
      { salt_length: 32 },
      { key_length: 16 },
    ]) {
      const other = createPasswordHashing({ algorithm: 'argon2', argon2: { ...ARGON2.argon2, ...argon2 } });
      expect(await other.verify('pw', encoded), JSON.stringify(argon2)).toEqual({
        ok: true,
        needsRehash: true,
      });
    }
    // The same parameters spelled differently are the same parameters.
    const sameParams = createPasswordHashing({
      algorithm: 'argon2',
      argon2: { ...ARGON2.argon2, memory: '65536B' },
    });
    expect(await sameParams.verify('pw', encoded)).toEqual({ ok: true, needsRehash: false });
  });

  it('is true for bcrypt at another cost, and for argon2id when bcrypt is configured', async () => {
    const encoded = await createPasswordHashing({ algorithm: 'bcrypt', bcrypt: { cost: 5 } }).hash('pw');
    const bcrypt = createPasswordHashing(BCRYPT);
    expect(await bcrypt.verify('pw', encoded)).toEqual({ ok: true, needsRehash: true });
    expect(await bcrypt.verify('pw', await createPasswordHashing(ARGON2).hash('pw'))).toEqual({
      ok: true,
      needsRehash: true,
    });
  });

  it('is false when the configured bcrypt could not hash the password', async () => {
    const long = 'x'.repeat(100);
    const encoded = `$md5$${createHash('md5').update(long).digest('base64')}`;
    expect(await createPasswordHashing(BCRYPT).verify(long, encoded)).toEqual({
      ok: true,
      needsRehash: false,
    });
  });
});

describe('garbled input', () => {
  const hashing = createPasswordHashing(ARGON2);

  it.each([
    '',
    'plaintext',
    '$argon2id$v=19$m=64,t=1,p=1$$',
    '$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$!!!!',
    '$2b$04$tooshort',
    '$pbkdf2-sha256$i=1,l=0$c2FsdA$',
    '$scrypt$ln=3,r=8,p=1$c2FsdA==$c2FsdA==',
    '{SSHA}',
    '$md5$',
    '$hmac-sha1$$',
    '$sha512-crypt$$$',
  ])('%j is unsupported and never verifies', async (encoded) => {
    expect(hashing.isSupportedHash(encoded)).toBe(false);
    expect(await hashing.verify('anything', encoded)).toEqual({ ok: false, needsRehash: false });
  });

  it('treats parameters the KDF would refuse as garbled', async () => {
    // Well-formed PHC, but a 4-byte salt is below the argon2 binding's minimum of 8.
    const encoded = '$argon2id$v=19$m=64,t=1,p=1$c2FsdA$MNzk5BtR2vUhrp6qQEjRNw';
    expect(hashing.isSupportedHash(encoded)).toBe(false);
    expect(await hashing.verify('test', encoded)).toEqual({ ok: false, needsRehash: false });
  });

  it('does not throw for non-string input at runtime', async () => {
    expect(await hashing.verify(undefined as unknown as string, MD5_OF_TEST)).toEqual({
      ok: false,
      needsRehash: false,
    });
    expect(await hashing.verify('test', null as unknown as string)).toEqual({
      ok: false,
      needsRehash: false,
    });
  });
});

describe('verifyDummy', () => {
  it('always fails, hashing its dummy once', async () => {
    const limiter = new Semaphore(4);
    const hashing = createPasswordHashing(ARGON2, { limiter });
    const results = await Promise.all([
      hashing.verifyDummy('a'),
      hashing.verifyDummy('b'),
      hashing.verifyDummy(''),
    ]);
    expect(results).toEqual([
      { ok: false, needsRehash: false },
      { ok: false, needsRehash: false },
      { ok: false, needsRehash: false },
    ]);
  });

  it('works with bcrypt and over-long passwords', async () => {
    const hashing = createPasswordHashing(BCRYPT);
    expect(await hashing.verifyDummy('x'.repeat(200))).toEqual({ ok: false, needsRehash: false });
  });
});

describe('bounded concurrency', () => {
  /** An imported pbkdf2-sha256 hash of `password` (Kratos's format): verified on libuv. */
  function pbkdf2Hash(password: string): string {
    const salt = Buffer.from(`salt-of-${password}`);
    const key = pbkdf2Sync(password, salt, 1000, 32, 'sha256');
    return `$pbkdf2-sha256$i=1000,l=32$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
  }

  it('keeps at most `limit` verifications of imported formats in flight on libuv; the rest queue', async () => {
    const limiter = new Semaphore(2);
    const hashing = createPasswordHashing(ARGON2, { limiter });
    let maxActive = 0;
    const observe = <T>(promise: Promise<T>): Promise<T> =>
      promise.finally(() => {
        maxActive = Math.max(maxActive, limiter.active);
      });

    const checks = Array.from({ length: 8 }, (_, i) =>
      observe(hashing.verify(`pw${i}`, pbkdf2Hash(`pw${i}`))),
    );
    // Slots are taken synchronously, so the bound is visible before anything completes.
    expect(limiter.active).toBe(2);
    expect(limiter.waiting).toBe(6);
    maxActive = Math.max(maxActive, limiter.active);
    expect((await Promise.all(checks)).every((result) => result.ok)).toBe(true);

    expect(maxActive).toBe(2);
    expect(limiter.active).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  for (const [name, config] of [
    ['argon2', ARGON2],
    ['bcrypt', BCRYPT],
  ] as const) {
    it(`leaves ${name} to the hash pool, which bounds it instead of the libuv limiter`, async () => {
      const limiter = new Semaphore(1);
      const hashing = createPasswordHashing(config, { limiter });
      const pool = sharedHashPool();
      const hashes = Array.from({ length: pool.capacity + 2 }, (_, i) => hashing.hash(`pw${i}`));
      expect(limiter.active).toBe(0);
      expect(pool.active).toBe(pool.size);
      expect(pool.waiting).toBe(hashes.length - pool.size);
      const encoded = await Promise.all(hashes);
      const checks = encoded.map((hash, i) => hashing.verify(`pw${i}`, hash));
      expect(limiter.active).toBe(0);
      expect(pool.active).toBe(pool.size);
      const results = await Promise.all(checks);
      expect(results.every((result) => result.ok)).toBe(true);
      expect((await hashing.verify('wrong', encoded[0] ?? '')).ok).toBe(false);
      expect(pool.active).toBe(0);
      expect(pool.waiting).toBe(0);
    });
  }
});

describe('configuration errors', () => {
  it('surface when the service is created', () => {
    expect(() => createPasswordHashing({ argon2: { memory: 'lots' } })).toThrow(/hashers\.argon2\.memory/);
    expect(() => createPasswordHashing({ algorithm: 'scrypt' as 'argon2' })).toThrow(/hashers\.algorithm/);
  });
});
