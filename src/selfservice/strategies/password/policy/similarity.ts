/**
 * Kratos's password-identifier similarity rule (selfservice/strategy/password/validator.go):
 * after lower-casing both, a password is too similar when its Levenshtein distance to the
 * identifier is under 5, or when the longest substring they share is more than half the
 * password. Both are computed on code points.
 */

/** Kratos's `minIdentifierPasswordDist`. */
const MIN_DISTANCE = 5;
/** Kratos's `maxIdentifierPasswordSubstrThreshold`. */
const MAX_SHARED_RATIO = 0.5;

/** Whether `password` is too similar to `identifier` (case-insensitive). */
export function isTooSimilar(identifier: string, password: string): boolean {
  const id = codePoints(identifier.toLowerCase());
  const pw = codePoints(password.toLowerCase());
  // The distance is at least the difference in length; skip the quadratic work when that already decides.
  const closeInLength = Math.abs(id.length - pw.length) < MIN_DISTANCE;
  if (closeInLength && levenshteinDistance(id, pw) < MIN_DISTANCE) return true;
  // An empty password never gets here through the policy (min length >= 6); guard the division anyway.
  return pw.length > 0 && longestCommonSubstring(id, pw) / pw.length > MAX_SHARED_RATIO;
}

/** Edit distance (insert, delete, substitute; each costs 1) between two code point sequences. */
export function levenshteinDistance(a: readonly number[], b: readonly number[]): number {
  // Two rows are enough: row i only reads row i-1.
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/** Length of the longest run of code points that appears in both sequences. */
export function longestCommonSubstring(a: readonly number[], b: readonly number[]): number {
  // runs[j] = length of the common run ending at a[i-1] and b[j-1]; rolled over i.
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  let longest = 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const run = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : 0;
      current[j] = run;
      if (run > longest) longest = run;
    }
    [previous, current] = [current, previous];
  }
  return longest;
}

/** The code points of a string. */
export function codePoints(value: string): number[] {
  const out: number[] = [];
  for (const char of value) out.push(char.codePointAt(0)!);
  return out;
}
