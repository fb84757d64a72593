/**
 * Hashes produced here with node:crypto and the argon2/bcrypt bindings, in each format's layout,
 * to cover the variants Kratos's literal vectors do not (digests, encodings, edge cases).
 */
import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { type Algorithm, hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { encodeBase64Raw } from '../encoding.js';
import { decodeHash } from './registry.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

async function verifies(password: string, encoded: string): Promise<boolean> {
  const decoded = decodeHash(encoded);
  if (decoded === undefined) throw new Error(`not decodable: ${encoded}`);
  return decoded.matches(Buffer.from(password, 'utf8'));
}

async function expectOnly(password: string, encoded: string): Promise<void> {
  expect(await verifies(password, encoded)).toBe(true);
  expect(await verifies(`${password}x`, encoded)).toBe(false);
  expect(await verifies('', encoded)).toBe(false);
}

const PASSWORD = 'correct horse battery staple ✓';

describe('argon2 strings written by the binding', () => {
  it.each([
    // The binding's enum is an ambient const enum, unreadable under isolated modules: 2 and 1 are
    // Argon2id and Argon2i.
    ['argon2id', 2 as Algorithm],
    ['argon2i', 1 as Algorithm],
  ] as const)('%s', async (prefix, algorithm) => {
    const encoded = await argon2Hash(PASSWORD, { algorithm, memoryCost: 64, timeCost: 1, parallelism: 2 });
    expect(encoded.startsWith(`$${prefix}$v=19$m=64,t=1,p=2$`)).toBe(true);
    await expectOnly(PASSWORD, encoded);
  });
});

describe('bcrypt variants', () => {
  // The binding always writes $2b$; $2a$ (from Go, as Kratos writes) and $2y$ (from PHP) compute
  // the same hash for the same salt, so relabelling a $2b$ hash gives a valid hash of each kind.
  it.each(['2a', '2b', '2y'] as const)('$%s$', async (version) => {
    const encoded = await bcryptHash(PASSWORD, 4);
    expect(encoded.startsWith('$2b$04$')).toBe(true);
    await expectOnly(PASSWORD, `$${version}$${encoded.slice(4)}`);
  });
});

describe('pbkdf2', () => {
  it.each([
    ['sha1', 'sha1'],
    ['sha224', 'sha3-224'],
    ['sha256', 'sha256'],
    ['sha384', 'sha3-384'],
    ['sha512', 'sha512'],
  ])('$pbkdf2-%s$ (derived with %s, as Kratos does)', async (name, digest) => {
    const salt = randomBytes(16);
    const key = pbkdf2Sync(PASSWORD, salt, 1000, 32, digest);
    await expectOnly(
      PASSWORD,
      `$pbkdf2-${name}$i=1000,l=32$${encodeBase64Raw(salt)}$${encodeBase64Raw(key)}`,
    );
  });
});

describe('scrypt', () => {
  it('$scrypt$ with ln holding N itself', async () => {
    const salt = randomBytes(16);
    const key = scryptSync(PASSWORD, salt, 32, { N: 1024, r: 8, p: 2 });
    await expectOnly(PASSWORD, `$scrypt$ln=1024,r=8,p=2$${b64(salt)}$${b64(key)}`);
  });
});

describe('firescrypt', () => {
  it('$firescrypt$ with ln as log2 N', async () => {
    const salt = randomBytes(12);
    const separator = Buffer.from([7]);
    const signerKey = randomBytes(64);
    const key = scryptSync(PASSWORD, Buffer.concat([salt, separator]), 32, { N: 2 ** 10, r: 8, p: 1 });
    const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    const hash = Buffer.concat([cipher.update(signerKey), cipher.final()]);
    await expectOnly(
      PASSWORD,
      `$firescrypt$ln=10,r=8,p=1$${b64(salt)}$${b64(hash)}$${b64(separator)}$${b64(signerKey)}`,
    );
  });
});

describe('ssha', () => {
  it.each([
    ['SSHA', 'sha1'],
    ['SSHA256', 'sha256'],
    ['SSHA512', 'sha512'],
  ])('{%s}', async (label, digest) => {
    const salt = randomBytes(8);
    const sum = createHash(digest).update(PASSWORD).update(salt).digest();
    await expectOnly(PASSWORD, `{${label}}${b64(Buffer.concat([sum, salt]))}`);
  });
});

describe('salted sha', () => {
  it.each(['sha1', 'sha256', 'sha512'])('$%s$ with a binary salt and {PASSWORD}{SALT}', async (digest) => {
    const salt = Buffer.from([0xff, 0x00, 0xc3, 0x28]);
    const sum = createHash(digest)
      .update(Buffer.concat([Buffer.from(PASSWORD), salt]))
      .digest();
    await expectOnly(
      PASSWORD,
      `$${digest}$pf=${b64(Buffer.from('{PASSWORD}{SALT}'))}$${b64(salt)}$${b64(sum)}`,
    );
  });

  it('does not expand placeholders inside the password', async () => {
    const password = 'a{SALT}b';
    const sum = createHash('sha256').update(`pepper${password}`).digest();
    await expectOnly(
      password,
      `$sha256$pf=${b64(Buffer.from('{SALT}{PASSWORD}'))}$${b64(Buffer.from('pepper'))}$${b64(sum)}`,
    );
  });
});

describe('md5', () => {
  it('$md5$ unsalted', async () => {
    await expectOnly(PASSWORD, `$md5$${b64(createHash('md5').update(PASSWORD).digest())}`);
  });

  it('$md5$pf= salted', async () => {
    const sum = createHash('md5').update(`s4lt::${PASSWORD}`).digest();
    await expectOnly(
      PASSWORD,
      `$md5$pf=${b64(Buffer.from('{SALT}::{PASSWORD}'))}$${b64(Buffer.from('s4lt'))}$${b64(sum)}`,
    );
  });
});

describe('hmac', () => {
  it.each(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'])('$hmac-%s$', async (digest) => {
    const key = randomBytes(16);
    const hex = createHmac(digest, key).update(PASSWORD).digest('hex');
    await expectOnly(PASSWORD, `$hmac-${digest}$${b64(Buffer.from(hex))}$${b64(key)}`);
  });

  it('accepts upper-case hex', async () => {
    const key = Buffer.from('12345');
    const hex = createHmac('sha256', key).update(PASSWORD).digest('hex').toUpperCase();
    await expectOnly(PASSWORD, `$hmac-sha256$${b64(Buffer.from(hex))}$${b64(key)}`);
  });
});
