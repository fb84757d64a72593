const INT64_MAX = 2n ** 63n - 1n;

/** Why Go's strconv.ParseInt refuses a value, in Go's words. */
export type GoIntError = 'invalid syntax' | 'value out of range';

/**
 * Go's `strconv.ParseInt(value, 10, 64)` (and `strconv.Atoi`, on 64-bit platforms), as query
 * parameters such as `page_size` are read: the number, or why not.
 */
export function parseGoInt(value: string): number | GoIntError {
  if (!/^[+-]?\d+$/.test(value)) return 'invalid syntax';
  const n = BigInt(value);
  return n > INT64_MAX || n < -INT64_MAX - 1n ? 'value out of range' : Number(n);
}

/** {@link parseGoInt} where only the number matters: undefined where Go fails (or is given nothing). */
export function goInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parseGoInt(value);
  return typeof n === 'number' ? n : undefined;
}
