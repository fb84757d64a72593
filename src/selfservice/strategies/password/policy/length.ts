/** Password length as Kratos counts it. */

/**
 * Length in Unicode code points, as Go's `utf8.RuneCountInString`: an emoji outside the BMP is
 * one character, not two UTF-16 units or four bytes. A lone surrogate counts as one, as Go
 * counts one invalid byte as one rune.
 */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}
