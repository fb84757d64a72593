/**
 * Strict base64 decoding for hash strings. Node's `Buffer.from(s, 'base64')` skips characters it
 * does not understand, which would make garbled hashes look valid; Kratos decodes with Go's
 * strict decoders, and so do we.
 */

const PADDED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UNPADDED = /^[A-Za-z0-9+/]*$/;

/**
 * Decodes standard base64 with `=` padding (Go's `base64.StdEncoding`).
 * With `strict` (Go's `.Strict()`), the unused bits of the last character must be zero too.
 *
 * @returns the bytes, or `undefined` when `value` is not valid base64.
 */
export function decodeBase64(value: string, strict = true): Buffer | undefined {
  if (!PADDED.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (strict && bytes.toString('base64') !== value) return undefined;
  return bytes;
}

/**
 * Decodes standard base64 without padding (Go's `base64.RawStdEncoding.Strict()`, used by PHC
 * strings).
 *
 * @returns the bytes, or `undefined` when `value` is not valid unpadded base64.
 */
export function decodeBase64Raw(value: string): Buffer | undefined {
  if (!UNPADDED.test(value) || value.length % 4 === 1) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (encodeBase64Raw(bytes) !== value) return undefined;
  return bytes;
}

/** Encodes bytes as standard base64 without padding, as in PHC strings. */
export function encodeBase64Raw(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/=+$/, '');
}

/** The alphabet of crypt(3) hashes (md5-crypt, sha-crypt). */
const CRYPT64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Encodes a digest the crypt(3) way: groups of three bytes, picked in the order given by
 * `triples` (each `[b2, b1, b0, chars]`, an index of -1 meaning a zero byte), written
 * least-significant six bits first.
 */
export function encodeCrypt64(
  digest: Uint8Array,
  triples: ReadonlyArray<readonly [number, number, number, number]>,
): string {
  let out = '';
  for (const [i2, i1, i0, chars] of triples) {
    let word = (byteAt(digest, i2) << 16) | (byteAt(digest, i1) << 8) | byteAt(digest, i0);
    for (let n = 0; n < chars; n++) {
      out += CRYPT64[word & 0x3f];
      word >>>= 6;
    }
  }
  return out;
}

function byteAt(bytes: Uint8Array, index: number): number {
  return index < 0 ? 0 : bytes[index]!;
}
