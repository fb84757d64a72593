/**
 * Go's string semantics for the sprig functions: Go strings are UTF-8 bytes (`len`, slicing
 * and `trunc` count bytes), case mapping is per code point, and `unicode.IsSpace` is not
 * JavaScript's `\s`.
 */
import { TemplateError } from './errors.js';

/** Go's unicode.IsSpace. */
export function isSpace(cp: number): boolean {
  if (cp <= 0xff) return (cp >= 0x09 && cp <= 0x0d) || cp === 0x20 || cp === 0x85 || cp === 0xa0;
  return (
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** strings.TrimFunc: code points matching `drop` removed from both ends. */
export function trimBy(s: string, drop: (cp: number) => boolean): string {
  const chars = [...s];
  let start = 0;
  let end = chars.length;
  while (start < end && drop(chars[start]!.codePointAt(0)!)) start++;
  while (end > start && drop(chars[end - 1]!.codePointAt(0)!)) end--;
  return chars.slice(start, end).join('');
}

/** unicode.ToUpper / ToLower per code point (no `ß` → `SS` expansion, unlike JavaScript). */
export function mapCase(s: string, upper: boolean): string {
  let out = '';
  for (const ch of s) out += mapRune(ch, upper);
  return out;
}

export function mapRune(ch: string, upper: boolean): string {
  const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
  if (mapped === ch) return ch;
  if (ch === '\u0130' && !upper) return 'i';
  return [...mapped].length === 1 ? mapped : ch;
}

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

/** Go's unicode.IsLetter / IsDigit. */
export function isLetterOrDigit(ch: string): boolean {
  return LETTER.test(ch) || DIGIT.test(ch);
}

export function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** Go's byte length of a string. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Go's `s[start:end]` on the UTF-8 bytes; a bad range is Go's panic. A cut through a
 * multi-byte character leaves U+FFFD where Go would leave the broken bytes.
 */
export function sliceBytes(s: string, start: number, end?: number): string {
  const bytes = utf8(s);
  const stop = end ?? bytes.length;
  if (start < 0 || stop > bytes.length || start > stop) {
    throw new TemplateError(
      'exec',
      end === undefined
        ? `runtime error: slice bounds out of range [${start}:${bytes.length}]`
        : stop > bytes.length
          ? `runtime error: slice bounds out of range [:${stop}] with length ${bytes.length}`
          : `runtime error: slice bounds out of range [${start}:${stop}]`,
    );
  }
  return bytes.subarray(start, stop).toString('utf8');
}

/** Largest string a function may build (`repeat`, `indent`, ...); beyond it the template fails. */
export const MAX_STRING = 1 << 20;

export function checkedLength(length: number): void {
  if (length > MAX_STRING)
    throw new TemplateError('limit', `template value longer than ${MAX_STRING} characters`);
}

/** strings.Repeat, bounded. */
export function repeat(s: string, count: number): string {
  if (count < 0) throw new TemplateError('exec', 'strings: negative Repeat count');
  checkedLength(s.length * count);
  return s.repeat(count);
}
