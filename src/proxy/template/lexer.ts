import { TemplateError } from './errors.js';
import { parseInt64 } from './go-strconv.js';

/** Tokens inside `{{ ... }}`; text between actions is a `text` token. */
export type Token =
  | { type: 'text'; value: string; pos: number }
  | { type: 'open'; pos: number }
  | { type: 'close'; pos: number }
  | { type: 'field'; value: string; pos: number }
  | { type: 'dot'; pos: number }
  | { type: 'variable'; value: string; pos: number }
  | { type: 'identifier'; value: string; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'number'; value: bigint | number; pos: number }
  | { type: 'bool'; value: boolean; pos: number }
  | { type: 'nil'; pos: number }
  | { type: 'declare'; pos: number }
  | { type: 'assign'; pos: number }
  | { type: 'pipe'; pos: number }
  | { type: 'comma'; pos: number }
  | { type: 'lparen'; pos: number }
  | { type: 'rparen'; pos: number };

const SPACE = /[ \t\r\n]/;
const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;

function fail(message: string, pos: number): never {
  throw new TemplateError('parse', message, pos);
}

/** Splits a template into text and action tokens, applying `{{-` / `-}}` trim markers. */
export function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let trimNextText = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open === -1 ? src.length : open);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    trimNextText = false;
    if (open === -1) {
      if (text !== '') tokens.push({ type: 'text', value: text, pos: i });
      break;
    }
    let j = open + 2;
    if (src[j] === '-' && SPACE.test(src[j + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      j += 2;
    }
    if (text !== '') tokens.push({ type: 'text', value: text, pos: i });
    // Comments: {{/* ... */}}, optionally with trim markers.
    const afterSpace = skipSpace(src, j);
    if (src.startsWith('/*', afterSpace)) {
      const end = src.indexOf('*/', afterSpace + 2);
      if (end === -1) fail('unclosed comment', open);
      const close = closeAt(src, end + 2);
      if (close === undefined) fail('comment ends before closing delimiter', open);
      i = close.next;
      trimNextText = close.trim;
      continue;
    }
    tokens.push({ type: 'open', pos: open });
    i = lexAction(src, j, tokens, (trim) => {
      trimNextText = trim;
    });
  }
  return tokens;
}

function skipSpace(src: string, i: number): number {
  let j = i;
  while (j < src.length && SPACE.test(src[j]!)) j++;
  return j;
}

/** Matches ` -}}` or `}}` at `i` (after optional space). */
function closeAt(src: string, i: number): { next: number; trim: boolean } | undefined {
  if (src.startsWith('}}', i)) return { next: i + 2, trim: false };
  if (SPACE.test(src[i] ?? '')) {
    const j = skipSpace(src, i);
    if (src.startsWith('-}}', j)) return { next: j + 3, trim: true };
    if (src.startsWith('}}', j)) return { next: j + 2, trim: false };
  }
  return undefined;
}

function lexAction(src: string, start: number, out: Token[], setTrim: (trim: boolean) => void): number {
  let i = start;
  for (;;) {
    const close = closeAt(src, i);
    if (close !== undefined) {
      out.push({ type: 'close', pos: i });
      setTrim(close.trim);
      return close.next;
    }
    if (i >= src.length) fail('unclosed action', start);
    const c = src[i]!;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '|') {
      out.push({ type: 'pipe', pos });
      i++;
    } else if (c === '(') {
      out.push({ type: 'lparen', pos });
      i++;
    } else if (c === ')') {
      out.push({ type: 'rparen', pos });
      i++;
    } else if (c === ',') {
      out.push({ type: 'comma', pos });
      i++;
    } else if (c === ':' && src[i + 1] === '=') {
      out.push({ type: 'declare', pos });
      i += 2;
    } else if (c === '=') {
      out.push({ type: 'assign', pos });
      i++;
    } else if (c === '"') {
      const end = scanQuoted(src, i);
      out.push({ type: 'string', value: unquote(src.slice(i, end), pos), pos });
      i = end;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end === -1) fail('unterminated raw string', pos);
      out.push({ type: 'string', value: src.slice(i + 1, end), pos });
      i = end + 1;
    } else if (c === '.' && !/[0-9]/.test(src[i + 1] ?? '')) {
      if (IDENT_START.test(src[i + 1] ?? '')) {
        let j = i + 1;
        while (j < src.length && IDENT_CHAR.test(src[j]!)) j++;
        out.push({ type: 'field', value: src.slice(i + 1, j), pos });
        i = j;
      } else {
        out.push({ type: 'dot', pos });
        i++;
      }
    } else if (c === '$') {
      let j = i + 1;
      while (j < src.length && IDENT_CHAR.test(src[j]!)) j++;
      out.push({ type: 'variable', value: src.slice(i, j), pos });
      i = j;
    } else if (/[0-9+\-.]/.test(c)) {
      const m =
        /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?)/.exec(
          src.slice(i),
        );
      const lit = m?.[0] ?? '';
      if (lit === '' || lit === '+' || lit === '-' || lit === '.') fail(`unexpected "${c}" in action`, pos);
      out.push({ type: 'number', value: parseNumber(lit, pos), pos });
      i += lit.length;
    } else if (IDENT_START.test(c)) {
      let j = i;
      while (j < src.length && IDENT_CHAR.test(src[j]!)) j++;
      const word = src.slice(i, j);
      if (word === 'true' || word === 'false') out.push({ type: 'bool', value: word === 'true', pos });
      else if (word === 'nil') out.push({ type: 'nil', pos });
      else out.push({ type: 'identifier', value: word, pos });
      i = j;
    } else {
      fail(`unexpected "${c}" in action`, pos);
    }
  }
}

function scanQuoted(src: string, start: number): number {
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else if (c === '\n') break;
    else i++;
  }
  return fail('unterminated quoted string', start);
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/** Go's strconv.Unquote for double-quoted strings (\n, \t, \xNN, \uNNNN, \UNNNNNNNN, ...). */
function unquote(lit: string, pos: number): string {
  let out = '';
  for (let i = 1; i < lit.length - 1; i++) {
    const c = lit[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = lit[++i] ?? '';
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = lit.slice(i + 1, i + 1 + width);
    if (width === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width)
      fail('invalid escape in string', pos);
    const code = Number.parseInt(hex, 16);
    if (code > 0x10ffff) fail('invalid escape in string', pos);
    out += String.fromCodePoint(code);
    i += width;
  }
  return out;
}

/** Integers become bigint (Go int; `0x`, `0o`, `0b` and a leading `0` for octal), everything else a number (Go float64). */
function parseNumber(lit: string, pos: number): bigint | number {
  if (/^[+-]?(?:0[xXbBoO][0-9a-fA-F_]+|[0-9][0-9_]*)$/.test(lit)) {
    const parsed = parseInt64(lit, 0);
    if (parsed.ok) return parsed.value;
    fail(parsed.range ? `integer overflow: ${lit}` : `bad number syntax: ${lit}`, pos);
  }
  const value = Number(lit.replace(/_/g, ''));
  if (!Number.isFinite(value)) fail(`bad number syntax: ${lit}`, pos);
  return value;
}
