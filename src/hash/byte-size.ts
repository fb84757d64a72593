/**
 * Byte sizes as Kratos writes them in `hashers.argon2.memory` ("128MB", "19456KB").
 *
 * Kratos parses these with github.com/inhies/go-bytesize, whose units are binary:
 * KB = 1024 B, MB = 1024 KB, and so on. We follow it so the same config string gives the same
 * argon2 memory cost in both servers.
 */

const KIB = 1024;

const UNITS: Readonly<Record<string, number>> = {
  B: 1,
  BYTE: 1,
  BYTES: 1,
  KB: KIB,
  KILOBYTE: KIB,
  KILOBYTES: KIB,
  MB: KIB ** 2,
  MEGABYTE: KIB ** 2,
  MEGABYTES: KIB ** 2,
  GB: KIB ** 3,
  GIGABYTE: KIB ** 3,
  GIGABYTES: KIB ** 3,
  TB: KIB ** 4,
  TERABYTE: KIB ** 4,
  TERABYTES: KIB ** 4,
  PB: KIB ** 5,
  PETABYTE: KIB ** 5,
  PETABYTES: KIB ** 5,
  EB: KIB ** 6,
  EXABYTE: KIB ** 6,
  EXABYTES: KIB ** 6,
};

// go-bytesize splits at the first non-digit, so only whole numbers are accepted; the unit is
// case-insensitive and may be separated by spaces.
const BYTE_SIZE = /^(\d+)\s*([A-Za-z]+)$/;

/**
 * Parses a Kratos byte-size string into a number of bytes.
 *
 * @returns the size in bytes, or `undefined` when the string is not a byte size or is too large
 *   to be represented exactly.
 */
export function parseByteSize(value: string): number | undefined {
  const match = BYTE_SIZE.exec(value.trim());
  if (match === null) return undefined;
  const unit = UNITS[match[2]!.toUpperCase()];
  if (unit === undefined) return undefined;
  const bytes = Number(match[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Converts bytes to whole KiB the way Kratos does for argon2 (`uint32(mem / KB)`: truncating). */
export function bytesToKiB(bytes: number): number {
  return Math.floor(bytes / KIB);
}
