/**
 * MD4 (RFC 1320) and HMAC-MD4, only for verifying imported `$hmac-md4$` hashes: OpenSSL 3 ships
 * MD4 in its legacy provider, which Node does not load, so `createHash('md4')` throws.
 */

const R2 = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const R3 = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** The MD4 digest of `message`. */
export function md4(message: Uint8Array): Buffer {
  const length = (((message.length + 8) >>> 6) + 1) * 64;
  const block = Buffer.alloc(length);
  block.set(message);
  block[message.length] = 0x80;
  const bits = message.length * 8;
  block.writeUInt32LE(bits >>> 0, length - 8);
  block.writeUInt32LE(Math.floor(bits / 2 ** 32), length - 4);

  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const x = new Array<number>(16);
  for (let offset = 0; offset < length; offset += 64) {
    for (let i = 0; i < 16; i++) x[i] = block.readInt32LE(offset + 4 * i);
    let [a, b, c, d] = state as [number, number, number, number];
    // Each step updates one register and the roles rotate (a <- d <- c <- b), as in the RFC.
    for (let i = 0; i < 48; i++) {
      let f: number;
      let k: number;
      let s: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        k = i;
        s = [3, 7, 11, 19][i % 4]!;
      } else if (i < 32) {
        f = ((b & c) | (b & d) | (c & d)) + 0x5a827999;
        k = R2[i - 16]!;
        s = [3, 5, 9, 13][i % 4]!;
      } else {
        f = (b ^ c ^ d) + 0x6ed9eba1;
        k = R3[i - 32]!;
        s = [3, 9, 11, 15][i % 4]!;
      }
      const t = rotl((a + f + x[k]!) | 0, s);
      a = d;
      d = c;
      c = b;
      b = t;
    }
    state[0] = (state[0]! + a) | 0;
    state[1] = (state[1]! + b) | 0;
    state[2] = (state[2]! + c) | 0;
    state[3] = (state[3]! + d) | 0;
  }
  const digest = Buffer.alloc(16);
  state.forEach((word, i) => {
    digest.writeInt32LE(word, 4 * i);
  });
  return digest;
}

/** HMAC-MD4 (RFC 2104, 64-byte blocks). */
export function hmacMd4(key: Uint8Array, message: Uint8Array): Buffer {
  const blockKey = Buffer.alloc(64);
  blockKey.set(key.length > 64 ? md4(key) : key);
  const inner = Buffer.alloc(64);
  const outer = Buffer.alloc(64);
  for (let i = 0; i < 64; i++) {
    inner[i] = blockKey[i]! ^ 0x36;
    outer[i] = blockKey[i]! ^ 0x5c;
  }
  return md4(Buffer.concat([outer, md4(Buffer.concat([inner, message]))]));
}
