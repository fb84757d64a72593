/**
 * SHA-crypt (Ulrich Drepper's crypt(3) `$5$` and `$6$`), in Kratos's spelling
 * `$sha256-crypt$[rounds=<n>$]<salt>$<hash>` and `$sha512-crypt$...`: salt of up to 16
 * characters, 43 (SHA-256) or 86 (SHA-512) characters of hash in the crypt alphabet.
 *
 * Node has no native sha-crypt, and common round counts (535,000; 656,000) take about a second of
 * digest calls, so the rounds run in slices that yield to the event loop between them.
 */
import { createHash } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { equalBytes } from '../constant-time.js';
import { encodeCrypt64 } from '../encoding.js';
import { boundedInteger } from './bounded-integer.js';
import { MAX_SHA_CRYPT_ROUNDS } from './limits.js';
import type { HashScheme, HashSchemeId } from './scheme.js';

/** The two sha-crypt variants. */
export type ShaCryptAlgorithm = 'sha256' | 'sha512';

type Triple = readonly [number, number, number, number];

interface Variant {
  digestLength: number;
  hashChars: number;
  triples: readonly Triple[];
}

/**
 * Byte order of the final encoding, from the specification: groups of three bytes `stride`
 * apart, their order rotating with the group index (`rotations[i % 3]` gives the offsets, in
 * multiples of `stride`), then a short tail.
 */
function encodingOrder(
  groups: number,
  stride: number,
  rotations: readonly (readonly [number, number, number])[],
  tail: Triple,
): Triple[] {
  const order: Triple[] = [];
  for (let i = 0; i < groups; i++) {
    const [x, y, z] = rotations[i % 3]!;
    order.push([i + x * stride, i + y * stride, i + z * stride, 4]);
  }
  order.push(tail);
  return order;
}

const VARIANTS: Record<ShaCryptAlgorithm, Variant> = {
  sha256: {
    digestLength: 32,
    hashChars: 43,
    triples: encodingOrder(
      10,
      10,
      [
        [0, 1, 2],
        [2, 0, 1],
        [1, 2, 0],
      ],
      [-1, 31, 30, 3],
    ),
  },
  sha512: {
    digestLength: 64,
    hashChars: 86,
    triples: encodingOrder(
      21,
      21,
      [
        [0, 1, 2],
        [1, 2, 0],
        [2, 0, 1],
      ],
      [-1, -1, 63, 2],
    ),
  },
};

const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
/** Rounds per slice between yields: a few milliseconds of work. */
const ROUNDS_PER_SLICE = 2000;

/** `length` bytes made of `source` repeated. */
function repeatTo(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += source.length) source.copy(out, offset, 0, length - offset);
  return out;
}

/**
 * The sha-crypt hash text of `password` (without the `$5$rounds=..$salt$` prefix).
 * `rounds` is clamped to the specification's minimum of 1000.
 */
export async function shaCrypt(
  algorithm: ShaCryptAlgorithm,
  password: Buffer,
  salt: Buffer,
  rounds: number,
): Promise<string> {
  const { digestLength, triples: order } = VARIANTS[algorithm];
  const digest = (...parts: Buffer[]): Buffer => {
    const hash = createHash(algorithm);
    for (const part of parts) hash.update(part);
    return hash.digest();
  };

  const b = digest(password, salt, password);
  const a = createHash(algorithm).update(password).update(salt);
  let left = password.length;
  for (; left > digestLength; left -= digestLength) a.update(b);
  a.update(b.subarray(0, left));
  for (let bits = password.length; bits > 0; bits >>>= 1) a.update(bits & 1 ? b : password);
  const aDigest = a.digest();

  const pBytes = repeatTo(digest(...Array<Buffer>(password.length).fill(password)), password.length);
  const sBytes = repeatTo(digest(...Array<Buffer>(16 + aDigest[0]!).fill(salt)), salt.length);

  let c = aDigest;
  const total = Math.max(rounds, MIN_ROUNDS);
  for (let round = 0; round < total; round++) {
    if (round > 0 && round % ROUNDS_PER_SLICE === 0) await yieldToEventLoop();
    const step = createHash(algorithm);
    step.update(round & 1 ? pBytes : c);
    if (round % 3) step.update(sBytes);
    if (round % 7) step.update(pBytes);
    step.update(round & 1 ? c : pBytes);
    c = step.digest();
  }
  return encodeCrypt64(c, order);
}

function shaCryptScheme(algorithm: ShaCryptAlgorithm): HashScheme {
  const id: HashSchemeId = `${algorithm}-crypt`;
  const prefix = `$${id}$`;
  const pattern = new RegExp(
    `^\\$${algorithm}-crypt\\$(?:rounds=(\\d+)\\$)?([^$]{0,16})\\$([./0-9A-Za-z]{${VARIANTS[algorithm].hashChars}})$`,
  );
  return {
    id,
    claims: (encoded) => encoded.startsWith(prefix),
    decode(encoded) {
      const match = pattern.exec(encoded);
      if (match === null) return undefined;
      const rounds =
        match[1] === undefined ? DEFAULT_ROUNDS : boundedInteger(match[1], 0, MAX_SHA_CRYPT_ROUNDS);
      if (rounds === undefined) return undefined;
      const salt = Buffer.from(match[2]!, 'utf8');
      const expected = Buffer.from(match[3]!, 'latin1');
      return {
        scheme: id,
        matches: async (password) =>
          equalBytes(Buffer.from(await shaCrypt(algorithm, password, salt, rounds), 'latin1'), expected),
      };
    },
  };
}

/** `$sha256-crypt$[rounds=n$]salt$hash`. */
export const sha256CryptScheme: HashScheme = shaCryptScheme('sha256');
/** `$sha512-crypt$[rounds=n$]salt$hash`. */
export const sha512CryptScheme: HashScheme = shaCryptScheme('sha512');
