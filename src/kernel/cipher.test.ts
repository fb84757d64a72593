import { describe, expect, it } from 'vitest';
import { CipherError, createSecretCipher } from './cipher.js';

describe('createSecretCipher', () => {
  it('round-trips, with a fresh nonce each time', () => {
    const cipher = createSecretCipher(['0123456789abcdef0123456789abcdef'], []);
    const a = cipher.encrypt('Authorization: Basic dTpw');
    const b = cipher.encrypt('Authorization: Basic dTpw');
    expect(a).not.toEqual(b);
    expect(a).not.toContain('dTpw');
    expect(cipher.decrypt(a)).toBe('Authorization: Basic dTpw');
  });

  it('decrypts with any key of the ring and encrypts with the first (rotation)', () => {
    const old = createSecretCipher(['old-key-old-key-old-key-old-key!'], []);
    const rotated = createSecretCipher(
      ['new-key-new-key-new-key-new-key!', 'old-key-old-key-old-key-old-key!'],
      [],
    );
    const sealedByOld = old.encrypt('secret');
    expect(rotated.decrypt(sealedByOld)).toBe('secret');
    expect(() => old.decrypt(rotated.encrypt('secret'))).toThrow(CipherError);
  });

  it('derives its key from secrets.default when secrets.cipher is empty', () => {
    const a = createSecretCipher([], ['a-test-secret-that-is-long-enough']);
    const b = createSecretCipher([], ['a-test-secret-that-is-long-enough']);
    expect(b.decrypt(a.encrypt('x'))).toBe('x');
    // The default secret itself is not the key: sealing under it as a cipher key differs.
    expect(() =>
      createSecretCipher(['a-test-secret-that-is-long-enough'], []).decrypt(a.encrypt('x')),
    ).toThrow(CipherError);
  });

  it('refuses tampered, truncated and foreign values with CipherError', () => {
    const cipher = createSecretCipher([], ['a-test-secret-that-is-long-enough']);
    const sealed = cipher.encrypt('secret');
    // Flip one bit of the ciphertext (not of base64's padding bits, which decode to nothing).
    const raw = Buffer.from(sealed.slice('pc1.'.length), 'base64url');
    for (const index of [0, 12, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[index] = (tampered[index] ?? 0) ^ 1;
      expect(() => cipher.decrypt(`pc1.${tampered.toString('base64url')}`)).toThrow(CipherError);
    }
    expect(() => cipher.decrypt('pc1.AAAA')).toThrow(CipherError);
    expect(() => cipher.decrypt('plain text')).toThrow(CipherError);
  });

  it('needs at least one key', () => {
    expect(() => createSecretCipher([], [])).toThrow(CipherError);
  });
});
