/**
 * Sprig's encodings and digests: standard base64 and base32 (padded; a decoding error is
 * returned as the text, as sprig does), hex sha1/sha256, decimal adler32, and uuidv4.
 */
import { createHash, randomUUID } from 'node:crypto';
import { fixed, type GoFunction } from './signature.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function decodeMap(alphabet: string): Map<number, number> {
  return new Map([...alphabet].map((c, i) => [c.charCodeAt(0), i]));
}

const B64_MAP = decodeMap(B64);
const B32_MAP = decodeMap(B32);
const PAD = 0x3d;
const isNewline = (b: number | undefined) => b === 0x0a || b === 0x0d;

class CorruptInput extends Error {
  constructor(
    readonly offset: number,
    readonly kind: string,
  ) {
    super(`illegal ${kind} data at input byte ${offset}`);
  }
}

/** Go's base64.StdEncoding.DecodeString (decodeQuantum): newlines skipped, padding required. */
function base64Decode(src: Buffer): Buffer {
  const out: number[] = [];
  let si = 0;
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let j = 0;
    let done = false;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        throw new CorruptInput(si - j, 'base64');
      }
      const input = src[si]!;
      si++;
      const value = B64_MAP.get(input);
      if (value !== undefined) {
        dbuf[j] = value;
        continue;
      }
      if (isNewline(input)) {
        j--;
        continue;
      }
      if (input !== PAD || j < 2) throw new CorruptInput(si - 1, 'base64');
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) throw new CorruptInput(src.length, 'base64');
        if (src[si] !== PAD) throw new CorruptInput(si - 1, 'base64');
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      if (si < src.length) throw new CorruptInput(si, 'base64');
      dlen = j;
      done = true;
      break;
    }
    const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    out.push(...bytes.slice(0, dlen - 1));
    if (done) break;
  }
  return Buffer.from(out);
}

function base32Encode(data: Buffer): string {
  let out = '';
  for (let i = 0; i < data.length; i += 5) {
    const chunk = data.subarray(i, i + 5);
    let bits = 0n;
    for (let k = 0; k < 5; k++) bits = (bits << 8n) | BigInt(chunk[k] ?? 0);
    const chars = [2, 4, 5, 7, 8][chunk.length - 1] ?? 8;
    for (let k = 0; k < 8; k++) out += k < chars ? B32[Number((bits >> BigInt(35 - 5 * k)) & 31n)] : '=';
  }
  return out;
}

/** Go's base32.StdEncoding.DecodeString: newlines stripped first, padding required. */
function base32Decode(input: Buffer): Buffer {
  const src = Buffer.from(input.filter((b) => !isNewline(b)));
  const olen = src.length;
  const out: number[] = [];
  let pos = 0;
  let end = false;
  while (pos < olen && !end) {
    const dbuf = [0, 0, 0, 0, 0, 0, 0, 0];
    let dlen = 8;
    for (let j = 0; j < 8; ) {
      if (pos === olen) throw new CorruptInput(pos - j, 'base32');
      const byte = src[pos]!;
      pos++;
      const remaining = olen - pos;
      if (byte === PAD && j >= 2 && remaining < 8) {
        if (remaining + j < 7) throw new CorruptInput(olen, 'base32');
        for (let k = 0; k < 7 - j; k++) {
          if (remaining > k && src[pos + k] !== PAD) throw new CorruptInput(pos + k - 1, 'base32');
        }
        dlen = j;
        end = true;
        if (dlen === 1 || dlen === 3 || dlen === 6) throw new CorruptInput(pos - 1, 'base32');
        break;
      }
      const value = B32_MAP.get(byte);
      if (value === undefined) throw new CorruptInput(pos - 1, 'base32');
      dbuf[j] = value;
      j++;
    }
    let bits = 0n;
    for (const d of dbuf) bits = (bits << 5n) | BigInt(d);
    const bytes = [4, 3, 2, 1, 0].map((k) => Number((bits >> BigInt(8 * k)) & 0xffn));
    const count = { 8: 5, 7: 4, 5: 3, 4: 2, 2: 1 }[dlen] ?? 0;
    out.push(...bytes.slice(0, count));
  }
  return Buffer.from(out);
}

function decoded(decode: (src: Buffer) => Buffer, text: string): string {
  try {
    return decode(Buffer.from(text, 'utf8')).toString('utf8');
  } catch (error) {
    if (error instanceof CorruptInput) return error.message;
    throw error;
  }
}

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return (b * 65536 + a) >>> 0;
}

const digest = (algorithm: string) =>
  fixed(['string'], (s) => createHash(algorithm).update(s, 'utf8').digest('hex'));

export const ENCODING_FUNCTIONS: ReadonlyArray<readonly [string, GoFunction]> = [
  ['b64enc', fixed(['string'], (s) => Buffer.from(s, 'utf8').toString('base64'))],
  ['b64dec', fixed(['string'], (s) => decoded(base64Decode, s))],
  ['b32enc', fixed(['string'], (s) => base32Encode(Buffer.from(s, 'utf8')))],
  ['b32dec', fixed(['string'], (s) => decoded(base32Decode, s))],
  ['sha1sum', digest('sha1')],
  ['sha256sum', digest('sha256')],
  ['adler32sum', fixed(['string'], (s) => String(adler32(Buffer.from(s, 'utf8'))))],
  ['uuidv4', fixed([], () => randomUUID())],
];
