/** md5-crypt, sha-crypt and MD4, checked against independent implementations' outputs. */
import { describe, expect, it } from 'vitest';
import { hmacMd4, md4 } from './md4.js';
import { md5Crypt } from './md5-crypt.js';
import { shaCrypt } from './sha-crypt.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('md4', () => {
  it.each([
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    [
      '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
      'e33b4ddc9c38f2199c3e7b164fcc0536',
    ],
  ])('RFC 1320: md4(%j)', (message, digest) => {
    expect(md4(bytes(message)).toString('hex')).toBe(digest);
  });

  it('HMAC-MD4 handles keys longer than a block', () => {
    // A 65-byte key is first digested, so it equals HMAC with md4(key) as the key.
    const key = Buffer.alloc(65, 7);
    expect(hmacMd4(key, bytes('x'))).toEqual(hmacMd4(md4(key), bytes('x')));
  });
});

// Produced with `openssl passwd -1 / -5 / -6 -salt ...`.
describe('md5Crypt', () => {
  it.each([
    ['password', 'saltsalt', 'qjXMvbEw8oaL.CzflDtaK/'],
    ['test', '', 'whuMjZj.HMFoaTaZRRtkO0'],
  ])('%j with salt %j', (password, salt, hash) => {
    expect(md5Crypt(bytes(password), bytes(salt))).toBe(hash);
  });
});

describe('shaCrypt', () => {
  it.each([
    ['sha256', 'Hello world!', 'saltstring', 5000, '5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
    ['sha256', 'Hello world!', 'saltstringsaltst', 10000, '3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA'],
    [
      'sha512',
      'Hello world!',
      'saltstring',
      5000,
      'svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    ],
    [
      'sha512',
      'This is just a test',
      'toolongsaltstrin',
      5000,
      'lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
    ],
    [
      'sha512',
      'a much longer password with more than sixty four bytes, to exercise the block loop!',
      'x',
      1200,
      'aLoiBj5CJxMcLZEh1V.82ii4Soujf0dQk1PdX8Q9igbdIIoMfdQDV60w6aLUpjVJ4CWh9xos0vOO5cB8I.Pa40',
    ],
  ] as const)('%s of %j, salt %j, %d rounds', async (algorithm, password, salt, rounds, hash) => {
    expect(await shaCrypt(algorithm, bytes(password), bytes(salt), rounds)).toBe(hash);
  });

  it('clamps rounds below the minimum of 1000', async () => {
    expect(await shaCrypt('sha256', bytes('pw'), bytes('salt'), 10)).toBe(
      await shaCrypt('sha256', bytes('pw'), bytes('salt'), 1000),
    );
  });
});
