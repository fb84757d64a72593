/**
 * Sprig's string functions (strings.go, functions.go), with sprig's argument order: the string
 * worked on comes last, so it can be piped (`.Subject | trimPrefix "user:"`). Lengths and
 * offsets (`substr`, `trunc`, `abbrev`) count UTF-8 bytes, as Go does.
 */
import { formatValue, goQuote } from './format.js';
import {
  byteLength,
  checkedLength,
  isLetterOrDigit,
  isSpace,
  mapCase,
  mapRune,
  repeat,
  sliceBytes,
  trimBy,
  utf8,
} from './go-strings.js';
import { fixed, type GoFunction, variadic } from './signature.js';
import { strslice, strval } from './sprig-values.js';

/** strings.Trim: code points of `cutset` removed from both ends. */
function trimCutset(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const set = new Set([...cutset].map((c) => c.codePointAt(0)!));
  return trimBy(s, (cp) => set.has(cp));
}

/** strings.Title: the first letter of each word upper-cased (words split as Go's isSeparator). */
function title(s: string): string {
  let out = '';
  let prev = ' ';
  for (const ch of s) {
    out += isSeparator(prev) ? mapRune(ch, true) : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if (cp <= 0x7f) return !/[0-9a-zA-Z_]/.test(ch);
  if (isLetterOrDigit(ch)) return false;
  return isSpace(cp);
}

/** goutils.Uncapitalize: the first letter of each space-separated word lower-cased. */
function untitle(s: string): string {
  let out = '';
  let next = true;
  for (const ch of s) {
    if (isSpace(ch.codePointAt(0)!)) {
      next = true;
      out += ch;
    } else if (next) {
      out += mapRune(ch, false);
      next = false;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * goutils.DeleteWhiteSpace, which reads the string byte by byte: when it removes anything, each
 * byte of a multi-byte character becomes its own Latin-1 character (and the bytes 0x85 and
 * 0xA0 count as spaces). Sprig's `nospace` does exactly that.
 */
function nospace(s: string): string {
  const bytes = utf8(s);
  let out = '';
  let removed = false;
  for (const byte of bytes) {
    if (isSpace(byte)) removed = true;
    else out += String.fromCodePoint(byte);
  }
  return removed ? out : s;
}

/** strings.Split; an empty separator splits into characters. */
export function goSplit(s: string, sep: string, n = -1): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const chars = [...s];
    if (n < 0 || n >= chars.length) return chars;
    return [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

/** strings.Replace(s, old, new, -1). */
function replaceAll(s: string, old: string, replacement: string): string {
  if (old === replacement) return s;
  const out =
    old === ''
      ? `${replacement}${[...s].join(replacement)}${s === '' ? '' : replacement}`
      : s.split(old).join(replacement);
  checkedLength(out.length);
  return out;
}

function indent(spaces: number, s: string): string {
  const pad = repeat(' ', spaces);
  checkedLength(s.length + pad.length * s.split('\n').length);
  return pad + s.replaceAll('\n', `\n${pad}`);
}

/** sprig's split / splitn: a map `_0`, `_1`, ... of the parts. */
function partsMap(parts: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  parts.forEach((part, i) => {
    out[`_${i}`] = part;
  });
  return out;
}

export const STRING_FUNCTIONS: ReadonlyArray<readonly [string, GoFunction]> = [
  ['trim', fixed(['string'], (s) => trimBy(s, isSpace))],
  ['trimAll', fixed(['string', 'string'], (cutset, s) => trimCutset(s, cutset))],
  ['trimall', fixed(['string', 'string'], (cutset, s) => trimCutset(s, cutset))],
  [
    'trimPrefix',
    fixed(['string', 'string'], (prefix, s) => (s.startsWith(prefix) ? s.slice(prefix.length) : s)),
  ],
  [
    'trimSuffix',
    fixed(['string', 'string'], (suffix, s) =>
      s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s,
    ),
  ],
  ['upper', fixed(['string'], (s) => mapCase(s, true))],
  ['lower', fixed(['string'], (s) => mapCase(s, false))],
  ['title', fixed(['string'], title)],
  ['untitle', fixed(['string'], untitle)],
  [
    'substr',
    fixed(['int', 'int', 'string'], (start, end, s) => {
      if (start < 0) return sliceBytes(s, 0, end);
      if (end < 0 || end > byteLength(s)) return sliceBytes(s, start);
      return sliceBytes(s, start, end);
    }),
  ],
  ['repeat', fixed(['int', 'string'], (count, s) => repeat(s, count))],
  [
    'trunc',
    fixed(['int', 'string'], (c, s) => {
      const len = byteLength(s);
      if (c < 0 && len + c > 0) return sliceBytes(s, len + c);
      if (c >= 0 && len > c) return sliceBytes(s, 0, c);
      return s;
    }),
  ],
  [
    'abbrev',
    fixed(['int', 'string'], (width, s) => {
      if (width < 4 || byteLength(s) <= width) return s;
      return `${sliceBytes(s, 0, width - 3)}...`;
    }),
  ],
  ['contains', fixed(['string', 'string'], (substr, s) => s.includes(substr))],
  ['hasPrefix', fixed(['string', 'string'], (prefix, s) => s.startsWith(prefix))],
  ['hasSuffix', fixed(['string', 'string'], (suffix, s) => s.endsWith(suffix))],
  [
    'quote',
    variadic([], 'any', (...args) =>
      args
        .filter((a) => a !== null)
        .map((a) => goQuote(strval(a)))
        .join(' '),
    ),
  ],
  [
    'squote',
    variadic([], 'any', (...args) =>
      args
        .filter((a) => a !== null)
        .map((a) => `'${formatValue(a)}'`)
        .join(' '),
    ),
  ],
  [
    'cat',
    variadic([], 'any', (...args) =>
      args
        .filter((a) => a !== null)
        .map(formatValue)
        .join(' '),
    ),
  ],
  ['indent', fixed(['int', 'string'], indent)],
  ['nindent', fixed(['int', 'string'], (spaces, s) => `\n${indent(spaces, s)}`)],
  [
    'replace',
    fixed(['string', 'string', 'string'], (old, replacement, s) => replaceAll(s, old, replacement)),
  ],
  ['plural', fixed(['string', 'string', 'int'], (one, many, count) => (count === 1 ? one : many))],
  ['nospace', fixed(['string'], nospace)],
  ['toString', fixed(['any'], strval)],
  ['toStrings', fixed(['any'], strslice)],
  ['split', fixed(['string', 'string'], (sep, s) => partsMap(goSplit(s, sep)))],
  ['splitList', fixed(['string', 'string'], (sep, s) => goSplit(s, sep))],
  ['splitn', fixed(['string', 'int', 'string'], (sep, n, s) => partsMap(goSplit(s, sep, n)))],
  ['join', fixed(['string', 'any'], (sep, list) => strslice(list).join(sep))],
];
