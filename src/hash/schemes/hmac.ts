/**
 * Kratos's HMAC format: `$hmac-<hash>$<base64 of the hex MAC>$<base64 key>`, hash one of md4, md5,
 * sha1, sha224, sha256, sha384, sha512; the MAC is HMAC(key, password) written as hex, then
 * base64-encoded (both fields padded base64).
 */
import { createHmac } from 'node:crypto';
import { equalBytes } from '../constant-time.js';
import { decodeBase64 } from '../encoding.js';
import { hmacMd4 } from './md4.js';
import type { HashScheme } from './scheme.js';

const HMAC = /^\$hmac-(md4|md5|sha1|sha224|sha256|sha384|sha512)\$([^$]*)\$([^$]*)$/;

const MAC_LENGTH = { md4: 16, md5: 16, sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 } as const;
type HmacHash = keyof typeof MAC_LENGTH;

function mac(hash: HmacHash, key: Buffer, password: Buffer): Buffer {
  return hash === 'md4' ? hmacMd4(key, password) : createHmac(hash, key).update(password).digest();
}

/** `$hmac-<hash>$<hex mac, base64>$<key, base64>`. */
export const hmacScheme: HashScheme = {
  id: 'hmac',
  claims: (encoded) => /^\$hmac-(md4|md5|sha1|sha224|sha256|sha384|sha512)\$/.test(encoded),
  decode(encoded) {
    const match = HMAC.exec(encoded);
    if (match === null) return undefined;
    const hash = match[1] as HmacHash;
    const hex = decodeBase64(match[2]!)?.toString('latin1');
    const key = decodeBase64(match[3]!);
    // Kratos compares the hex text byte for byte (lower case, as Go writes it); we compare the
    // MAC bytes, which also accepts upper-case hex from other exporters.
    if (hex === undefined || key === undefined || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
    if (hex.length !== 2 * MAC_LENGTH[hash]) return undefined;
    const expected = Buffer.from(hex, 'hex');
    return { scheme: 'hmac', matches: async (password) => equalBytes(mac(hash, key, password), expected) };
  },
};
