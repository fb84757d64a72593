/**
 * What a `match.url` pattern says about every URL it matches before any regexp runs: the
 * literal text they all start with, and whether the pattern is nothing but that text and one
 * trailing "anything" group. Computed once per rule when it loads, so the matcher can turn most
 * rules down with a `startsWith` (V8's linear-time engine is an interpreter: a regexp per rule
 * per request costs about a microsecond each) and answer the most common shape,
 * `https://host/path/<.*>`, without a regexp at all.
 *
 * Everything here is conservative: when a construct is not plainly literal the prefix ends
 * there. A shorter prefix only costs a regexp run; a wrong one would change which rule matches.
 */

import type { MatchingStrategy } from '../config.js';

export interface PatternShape {
  /** Text every matching URL starts with (as matched: non-ASCII and spaces percent-encoded). */
  readonly prefix: string;
  /**
   * Set when the pattern is `prefix` followed by one group that takes the rest of the URL:
   * `<.*>` (regexp: anything without a line feed, captured) or `<**>` (glob: anything).
   */
  readonly rest?: 'captured_line' | 'anything';
}

/**
 * The shape of a pattern that compiled (so its delimiters balance and its groups parse).
 * `delimiters` are the start and end (exclusive) offsets of each top-level `<...>`.
 */
export function patternShape(
  pattern: string,
  delimiters: readonly number[],
  strategy: MatchingStrategy,
): PatternShape {
  let prefix = '';
  let end = 0;
  for (let i = 0; i < delimiters.length; i += 2) {
    const open = delimiters[i] ?? 0;
    const close = delimiters[i + 1] ?? 0;
    prefix += literalText(pattern.slice(end, open));
    const inner = pattern.slice(open + 1, close - 1);
    const lastGroup = delimiters.length === 2 && close === pattern.length;
    if (lastGroup && strategy === 'regexp' && inner === '.*') return { prefix, rest: 'captured_line' };
    if (lastGroup && strategy === 'glob' && inner === '**') return { prefix, rest: 'anything' };
    const group = strategy === 'regexp' ? regexpPrefix(inner) : globPrefix(inner);
    prefix += group.text;
    if (!group.whole) return { prefix };
    end = close;
  }
  return { prefix: prefix + literalText(pattern.slice(end)) };
}

/**
 * Literal pattern text as the normalised URL carries it: printable ASCII as is, anything
 * else (space, controls, non-ASCII) percent-encoded as UTF-8, upper-case hex. The same
 * encoding as pattern.ts's `literalSource`, as text rather than regexp source.
 */
export function literalText(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code > 0x20 && code < 0x7f) out += char;
    else
      for (const byte of Buffer.from(char, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

interface GroupPrefix {
  /** The characters every match of the group starts with. */
  text: string;
  /** The group is exactly `text`. */
  whole: boolean;
}

const NONE: GroupPrefix = { text: '', whole: false };

/** RE2's metacharacters; `{` `}` `]` may be literal in RE2, but ending the prefix there is safe. */
const REGEXP_SPECIAL = new Set(['\\', '.', '[', ']', '(', ')', '{', '}', '|', '*', '+', '?', '^', '$']);
const QUANTIFIER_START = new Set(['*', '+', '?', '{']);

/**
 * The leading literal characters of an RE2 expression: plain printable ASCII characters and
 * escaped punctuation (`\.`), each not followed by a quantifier. An alternation anywhere gives
 * no prefix (a branch may start differently); anything else (a class, a group, `.`, an escape
 * such as `\d` or `\x41`, `\Q...\E`, an anchor) ends it.
 */
export function regexpPrefix(expression: string): GroupPrefix {
  if (expression.includes('|')) return NONE;
  let text = '';
  let pos = 0;
  while (pos < expression.length) {
    const char = expression.charAt(pos);
    let literal: string;
    let length: number;
    if (char === '\\') {
      const next = expression.charAt(pos + 1);
      if (!isPunctuation(next)) break;
      literal = next;
      length = 2;
    } else {
      if (REGEXP_SPECIAL.has(char) || !isPrintableAscii(char)) break;
      literal = char;
      length = 1;
    }
    // `ab*`: the b may be absent, so the prefix is `a`.
    if (QUANTIFIER_START.has(expression.charAt(pos + length))) break;
    text += literal;
    pos += length;
  }
  return { text, whole: pos === expression.length };
}

const GLOB_SPECIAL = new Set(['*', '?', '[', '{']);

/**
 * The leading literal characters of a gobwas glob (as glob.ts reads it): printable ASCII
 * other than `*` `?` `[` `{`, and `\x` for x. A wildcard, class or alternative ends it.
 */
export function globPrefix(glob: string): GroupPrefix {
  let text = '';
  let pos = 0;
  while (pos < glob.length) {
    const char = glob.charAt(pos);
    if (GLOB_SPECIAL.has(char)) break;
    const escaped = char === '\\' && pos + 1 < glob.length;
    const literal = escaped ? glob.charAt(pos + 1) : char;
    if (!isPrintableAscii(literal)) break;
    text += literal;
    pos += escaped ? 2 : 1;
  }
  return { text, whole: pos === glob.length };
}

function isPrintableAscii(char: string): boolean {
  const code = char.charCodeAt(0);
  return char.length === 1 && code >= 0x20 && code < 0x7f;
}

/** What RE2 lets be escaped to stand for itself. */
function isPunctuation(char: string): boolean {
  return char !== '' && /[!-/:-@[-`{-~]/.test(char);
}
