/** Which strings decode: unknown, garbled and out-of-bounds hashes must not. */
import { describe, expect, it } from 'vitest';
import { decodeHash, HASH_SCHEMES } from './registry.js';

const SALT = 'c29tZXNhbHRzb21lc2FsdA'; // 16 bytes, unpadded
const KEY = 'a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U'; // 29 bytes, unpadded
const PADDED = 'a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5'; // 24 bytes, padded form needs none

describe('decodeHash', () => {
  it('gives every string at most one owner', () => {
    const samples = [
      '$argon2id$',
      '$argon2i$',
      '$2b$',
      '$pbkdf2-sha256$',
      '$scrypt$',
      '$firescrypt$',
      '{SSHA}',
    ];
    for (const sample of [
      ...samples,
      '$sha1$',
      '$md5$',
      '$hmac-md5$',
      '$md5-crypt$',
      '$sha256-crypt$',
      '$sha512-crypt$',
    ]) {
      expect(HASH_SCHEMES.filter((scheme) => scheme.claims(sample)).length, sample).toBe(1);
    }
  });

  it.each([
    ['empty', ''],
    ['plain text', 'hunter2'],
    ['unknown prefix', '$unknown$12$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6'],
    ['bcrypt, short', '$2b$12$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL'],
    ['bcrypt, cost 3', '$2b$03$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6'],
    ['bcrypt, $2x$', '$2x$12$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6'],
    ['argon2, version 16', `$argon2id$v=16$m=64,t=1,p=1$${SALT}$${KEY}`],
    ['argon2, params reordered', `$argon2id$v=19$t=1,m=64,p=1$${SALT}$${KEY}`],
    ['argon2, memory below 8 KiB per lane', `$argon2id$v=19$m=8,t=1,p=2$${SALT}$${KEY}`],
    ['argon2, memory beyond bound', `$argon2id$v=19$m=99999999,t=1,p=1$${SALT}$${KEY}`],
    ['argon2, padded base64', `$argon2id$v=19$m=64,t=1,p=1$${SALT}==$${KEY}`],
    ['argon2, empty key', `$argon2id$v=19$m=64,t=1,p=1$${SALT}$`],
    ['argon2, extra field', `$argon2id$v=19$m=64,t=1,p=1$${SALT}$${KEY}$x`],
    ['pbkdf2, empty key (would match anything)', `$pbkdf2-sha256$i=1000,l=0$${SALT}$`],
    ['pbkdf2, iterations beyond bound', `$pbkdf2-sha256$i=999999999,l=29$${SALT}$${KEY}`],
    ['pbkdf2, zero iterations', `$pbkdf2-sha256$i=0,l=29$${SALT}$${KEY}`],
    ['pbkdf2, signed iterations', `$pbkdf2-sha256$i=+10,l=29$${SALT}$${KEY}`],
    ['scrypt, N not a power of two', `$scrypt$ln=1000,r=8,p=1$${PADDED}$${PADDED}`],
    ['scrypt, memory beyond bound', `$scrypt$ln=16777216,r=64,p=1$${PADDED}$${PADDED}`],
    ['scrypt, unpadded base64', `$scrypt$ln=1024,r=8,p=1$${SALT}$${PADDED}`],
    ['firescrypt, missing fields', `$firescrypt$ln=14,r=8,p=1$${PADDED}$${PADDED}`],
    [
      'firescrypt, hash and signer key differ in length',
      `$firescrypt$ln=14,r=8,p=1$${PADDED}$${PADDED}$Bw==$AAAA`,
    ],
    ['ssha, no salt', `{SSHA}${Buffer.alloc(20).toString('base64')}`],
    [
      'salted sha, template without {PASSWORD}',
      `$sha1$pf=${btoa('{SALT}')}$c2FsdA==$${Buffer.alloc(20).toString('base64')}`,
    ],
    [
      'salted sha, wrong digest length',
      `$sha256$pf=${btoa('{PASSWORD}')}$c2FsdA==$${Buffer.alloc(20).toString('base64')}`,
    ],
    ['md5, wrong digest length', `$md5$${Buffer.alloc(15).toString('base64')}`],
    [
      'md5, template without {PASSWORD}',
      `$md5$pf=${btoa('{SALT}')}$c2FsdA==$${Buffer.alloc(16).toString('base64')}`,
    ],
    ['hmac, not hex', `$hmac-md5$${btoa('z'.repeat(32))}$MTIzNDU=`],
    ['md5-crypt, salt too long', '$md5-crypt$123456789$whuMjZj.HMFoaTaZRRtkO0'],
    [
      'sha256-crypt, rounds beyond bound',
      '$sha256-crypt$rounds=999999999$salt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5',
    ],
    ['sha512-crypt, wrong hash length', '$sha512-crypt$salt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
    ['huge string', `$md5$${'A'.repeat(10_000)}`],
  ])('rejects %s', (_, encoded) => {
    expect(decodeHash(encoded)).toBeUndefined();
  });

  it('rejects non-strings at runtime', () => {
    expect(decodeHash(undefined as unknown as string)).toBeUndefined();
    expect(decodeHash(42 as unknown as string)).toBeUndefined();
  });
});
