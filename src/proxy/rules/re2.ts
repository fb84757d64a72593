/**
 * Translates the RE2 syntax of Oathkeeper's `<...>` regexps into JavaScript RegExp source
 * (no flags) that matches the same strings, or refuses a construct JavaScript would read
 * differently. Also reports what the cost guard (pattern.ts) needs: lookarounds, nested
 * repetition, unbounded quantifiers.
 *
 * Accepted: literals, `.`, classes (with POSIX `[:alpha:]` names), `\d \w \s \b \A \z`,
 * `\Q...\E`, `\xHH`, `\x{H}`, groups `( ) (?: ) (?P<n> ) (?<n> )`, lookarounds
 * `(?= ) (?! ) (?<= ) (?<! )` (regexp2, which Oathkeeper uses, supports them), alternation and
 * greedy or lazy quantifiers up to 1000, and the inline flags `i`, `m` and `s` — `(?i)` to the
 * end of the enclosing group, `(?i:...)`, `(?-i)`, `(?is-m)` — which are expanded into the
 * source (`[aA]`, `[\s\S]`, line lookarounds) because JavaScript has no inline flags.
 * Refused: the flags `U`, `x` and `n`, backreferences and octal escapes, atomic groups,
 * possessive quantifiers, `\pN` Unicode classes, `\C`.
 */

export interface Re2Translation {
  readonly source: string;
  /** Contains a lookahead or lookbehind (needs the backtracking engine). */
  readonly lookaround: boolean;
  /** A repeated group (max > 1) contains a repetition or an alternation. */
  readonly nestedRepetition: boolean;
  /** Number of `*`, `+` and `{n,}` quantifiers. */
  readonly unbounded: number;
  /** The capture groups, in the order of their `(` (JavaScript's and RE2's numbering). */
  readonly groups: readonly Re2Group[];
}

export interface Re2Group {
  /** `(?P<name>...)` / `(?<name>...)`; undefined for a plain `(...)`. */
  readonly name: string | undefined;
  /** Offset of the group's `)` in the pattern. */
  readonly end: number;
}

export interface Re2Options {
  /**
   * Writes named groups as plain `(...)` (still reported in `groups` with their name), so a
   * name may repeat, as regexp2 allows (Go's regexp and JavaScript refuse it). For callers that
   * read groups by position only.
   */
  readonly namesAsPlainGroups?: boolean;
}

export class Re2SyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Re2SyntaxError';
  }
}

const MAX_REPEAT = 1000;

// RE2's \s is [\t\n\f\r ] (no \v, no Unicode spaces), unlike JavaScript's.
const SPACE_CHARS = '\\t\\n\\f\\r ';

const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

interface Piece {
  src: string;
  /** Contains a quantifier with max > 1. */
  repeats: boolean;
  /** Contains an alternation. */
  alternates: boolean;
  /** Can take a quantifier (not an assertion). */
  quantifiable: boolean;
}

/** Translates one RE2 expression; throws {@link Re2SyntaxError}. */
export function translateRe2(pattern: string, options: Re2Options = {}): Re2Translation {
  const parser = new Parser(pattern, options.namesAsPlainGroups === true);
  const piece = parser.alternation();
  if (parser.pos < pattern.length) throw new Re2SyntaxError(`unexpected ) at offset ${parser.pos}`);
  return {
    source: piece.src,
    lookaround: parser.lookaround,
    nestedRepetition: parser.nested,
    unbounded: parser.unbounded,
    groups: parser.groups,
  };
}

/** The inline flags JavaScript source can express here (RE2 / regexp2 `(?ims)`). */
interface Flags {
  /** Case-insensitive: letters become `[aA]`. */
  i: boolean;
  /** Multi-line: `^` and `$` also match at line feeds. */
  m: boolean;
  /** `.` matches a line feed too. */
  s: boolean;
}

/** Larger case-insensitive class ranges outside ASCII are refused (each code point is folded). */
const MAX_FOLDED_RANGE = 0x2000;

class Parser {
  pos = 0;
  lookaround = false;
  nested = false;
  unbounded = 0;
  /** The flags in force; a group restores them at its `)`, as regexp2 scopes them. */
  flags: Flags = { i: false, m: false, s: false };
  /** Capture groups in the order of their `(`; `end` is set at their `)`. */
  readonly groups: { name: string | undefined; end: number }[] = [];

  constructor(
    private readonly text: string,
    private readonly namesAsPlainGroups: boolean,
  ) {}

  alternation(): Piece {
    const branches = [this.sequence()];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.sequence());
    }
    return {
      src: branches.map((branch) => branch.src).join('|'),
      repeats: branches.some((branch) => branch.repeats),
      alternates: branches.length > 1 || branches.some((branch) => branch.alternates),
      quantifiable: true,
    };
  }

  private sequence(): Piece {
    let src = '';
    let repeats = false;
    let alternates = false;
    while (this.pos < this.text.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.quantified();
      src += atom.src;
      repeats ||= atom.repeats;
      alternates ||= atom.alternates;
    }
    return { src, repeats, alternates, quantifiable: true };
  }

  private quantified(): Piece {
    const atom = this.atom();
    const quantifier = this.quantifier();
    if (quantifier === undefined) return atom;
    if (!atom.quantifiable)
      throw new Re2SyntaxError(`missing argument to repetition operator at offset ${this.pos}`);
    if (this.quantifier() !== undefined || this.peek() === '+')
      throw new Re2SyntaxError(`invalid nested repetition operator at offset ${this.pos}`);
    if (quantifier.max > 1 && (atom.repeats || atom.alternates)) this.nested = true;
    if (quantifier.max === Number.POSITIVE_INFINITY) this.unbounded++;
    return { ...atom, src: atom.src + quantifier.src, repeats: atom.repeats || quantifier.max > 1 };
  }

  private quantifier(): { src: string; max: number } | undefined {
    const char = this.peek();
    let src: string;
    let max: number;
    if (char === '*' || char === '+' || char === '?') {
      this.pos++;
      src = char;
      max = char === '?' ? 1 : Number.POSITIVE_INFINITY;
    } else if (char === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.text.slice(this.pos));
      if (match === null) return undefined; // a literal brace, as in RE2
      const min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === '' ? Number.POSITIVE_INFINITY : Number(match[3]);
      if (min > MAX_REPEAT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT) || max < min)
        throw new Re2SyntaxError(`invalid repeat count ${match[0]}`);
      this.pos += match[0].length;
      src = match[0];
    } else {
      return undefined;
    }
    if (this.peek() === '?') {
      this.pos++;
      src += '?';
    }
    return { src, max };
  }

  private atom(): Piece {
    const char = this.text.charAt(this.pos);
    const plain = (src: string): Piece => ({ src, repeats: false, alternates: false, quantifiable: true });
    const assertion = (src: string): Piece => ({
      src,
      repeats: false,
      alternates: false,
      quantifiable: false,
    });
    switch (char) {
      case '(':
        return this.group();
      case '[':
        return plain(this.charClass());
      case '\\':
        return this.escape();
      case '.':
        this.pos++;
        return plain(this.flags.s ? '[\\s\\S]' : '[^\\n]');
      case '^':
      case '$':
        this.pos++;
        if (!this.flags.m) return assertion(char);
        this.lookaround = true;
        return assertion(char === '^' ? '(?:^|(?<=\\n))' : '(?=\\n|$)');
      case '*':
      case '+':
      case '?':
        throw new Re2SyntaxError(`missing argument to repetition operator ${char} at offset ${this.pos}`);
      default: {
        const codePoint = this.text.codePointAt(this.pos) ?? 0;
        this.pos += codePoint > 0xffff ? 2 : 1;
        return plain(this.literal(codePoint));
      }
    }
  }

  private group(): Piece {
    const start = this.pos;
    const rest = this.text.slice(this.pos);
    // The flags in force before the group (a flag group changes them), restored at its `)`.
    const saved = { ...this.flags };
    let open: string;
    let isLookaround = false;
    let capture: { name: string | undefined; end: number } | undefined;
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named !== null) {
      open = this.namesAsPlainGroups ? '(' : `(?<${named[1]}>`;
      this.pos += named[0].length;
      capture = { name: named[1], end: -1 };
    } else if (/^\(\?(=|!|<=|<!)/.test(rest)) {
      const match = /^\(\?(=|!|<=|<!)/.exec(rest);
      open = match?.[0] ?? '';
      this.pos += open.length;
      isLookaround = true;
      this.lookaround = true;
    } else if (rest.startsWith('(?:')) {
      open = '(?:';
      this.pos += 3;
    } else if (rest.startsWith('(?')) {
      const flagged = /^\(\?([A-Za-z]*)(?:-([A-Za-z]*))?([:)])/.exec(rest);
      if (flagged === null) {
        const what = rest.startsWith('(?>')
          ? 'atomic groups'
          : rest.startsWith('(?#')
            ? 'comments'
            : 'this group syntax';
        throw new Re2SyntaxError(`${what} are not supported (offset ${start})`);
      }
      const [whole, on = '', off = '', end] = flagged;
      this.pos += whole.length;
      this.applyFlags(on, off, start);
      // `(?i)`: in force to the end of the enclosing group (its caller restores the flags).
      if (end === ')') return { src: '', repeats: false, alternates: false, quantifiable: false };
      // `(?i:...)`: a non-capturing group with the flags in force inside it only.
      open = '(?:';
    } else {
      open = '(';
      this.pos += 1;
      capture = { name: undefined, end: -1 };
    }
    if (capture !== undefined) this.groups.push(capture);
    const inner = this.alternation();
    if (this.peek() !== ')') throw new Re2SyntaxError(`missing ) for the group at offset ${start}`);
    if (capture !== undefined) capture.end = this.pos;
    this.pos++;
    this.flags = saved;
    return {
      src: `${open}${inner.src})`,
      repeats: inner.repeats,
      alternates: inner.alternates,
      quantifiable: !isLookaround,
    };
  }

  /** `(?on-off)`: only `i`, `m` and `s` can be expressed in JavaScript source. */
  private applyFlags(on: string, off: string, start: number): void {
    if (on === '' && off === '') throw new Re2SyntaxError(`empty flag group at offset ${start}`);
    for (const [letters, value] of [
      [on, true],
      [off, false],
    ] as const) {
      for (const letter of letters) {
        if (letter === 'i' || letter === 'm' || letter === 's') this.flags[letter] = value;
        else
          throw new Re2SyntaxError(
            `the inline flag ${letter} is not supported (offset ${start}); only i, m and s are`,
          );
      }
    }
  }

  /** A code point as source, both cases under `(?i)`. */
  private literal(codePoint: number): string {
    if (!this.flags.i) return literal(codePoint);
    const variants = caseVariants(codePoint);
    if (variants.length === 1) return literal(codePoint);
    if (variants.every((v) => v <= 0xffff)) return `[${variants.map(literal).join('')}]`;
    return `(?:${variants.map(literal).join('|')})`;
  }

  private escape(): Piece {
    const start = this.pos;
    const next = this.text.charAt(this.pos + 1);
    const plain = (src: string, length = 2): Piece => {
      this.pos += length;
      return { src, repeats: false, alternates: false, quantifiable: true };
    };
    switch (next) {
      case 'A':
        this.pos += 2;
        return { src: '^', repeats: false, alternates: false, quantifiable: false };
      case 'z':
        this.pos += 2;
        return { src: '$', repeats: false, alternates: false, quantifiable: false };
      case 'b':
      case 'B':
        this.pos += 2;
        return { src: `\\${next}`, repeats: false, alternates: false, quantifiable: false };
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return plain(`\\${next}`);
      case 's':
        return plain(`[${SPACE_CHARS}]`);
      case 'S':
        return plain(`[^${SPACE_CHARS}]`);
      case 'Q': {
        const end = this.text.indexOf('\\E', this.pos + 2);
        const quoted = this.text.slice(this.pos + 2, end < 0 ? undefined : end);
        const length = end < 0 ? this.text.length - this.pos : end + 2 - this.pos;
        const codes = [...quoted].map((c) => this.literal(c.codePointAt(0) ?? 0));
        // A quantifier after \Q...\E applies to the last character, as in RE2.
        return plain(codes.length <= 1 ? (codes[0] ?? '(?:)') : `(?:${codes.join('')})`, length);
      }
      default: {
        const code = this.escapedChar();
        if (code === undefined) throw new Re2SyntaxError(`invalid escape \\${next} at offset ${start}`);
        return { src: this.literal(code), repeats: false, alternates: false, quantifiable: true };
      }
    }
  }

  /** A character escape (`\n`, `\x41`, `\x{41}`, `\.`) at pos; advances past it. */
  private escapedChar(): number | undefined {
    const next = this.text.charAt(this.pos + 1);
    const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    if (next in simple) {
      this.pos += 2;
      return simple[next];
    }
    if (next === 'x') {
      const match = /^\\x(?:([0-9A-Fa-f]{2})|\{([0-9A-Fa-f]{1,6})\})/.exec(this.text.slice(this.pos));
      if (match === null) return undefined;
      const code = Number.parseInt(match[1] ?? match[2] ?? '', 16);
      if (code > 0x10ffff) return undefined;
      this.pos += match[0].length;
      return code;
    }
    if (/^[0-9]$/.test(next))
      throw new Re2SyntaxError(
        'backreferences and octal escapes are not supported (use \\xHH for a character)',
      );
    if (next === 'p' || next === 'P')
      throw new Re2SyntaxError('Unicode classes \\p are not supported (URLs are matched percent-encoded)');
    // RE2 lets any punctuation be escaped to stand for itself.
    if (next !== '' && /[!-/:-@[-`{-~]/.test(next)) {
      this.pos += 2;
      return next.charCodeAt(0);
    }
    return undefined;
  }

  private charClass(): string {
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    let body = '';
    let first = true;
    while (this.pos < this.text.length && (this.peek() !== ']' || first)) {
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.text.slice(this.pos));
      if (posix !== null) {
        const name = posix[2] ?? '';
        // Under (?i) [:lower:] and [:upper:] match both cases, as in RE2; the others are closed.
        const set = this.flags.i && (name === 'lower' || name === 'upper') ? 'A-Za-z' : POSIX[name];
        if (set === undefined) throw new Re2SyntaxError(`unknown class [:${posix[2]}:]`);
        if (posix[1] === '^')
          throw new Re2SyntaxError(`negated class [:^${posix[2]}:] inside brackets is not supported`);
        body += set;
        this.pos += posix[0].length;
        continue;
      }
      if (this.peek() === '\\') {
        const next = this.text.charAt(this.pos + 1);
        if ('dDwW'.includes(next) && next !== '') {
          body += `\\${next}`;
          this.pos += 2;
          continue;
        }
        if (next === 's') {
          body += SPACE_CHARS;
          this.pos += 2;
          continue;
        }
        if (next === 'S')
          throw new Re2SyntaxError('\\S inside brackets is not supported; use [^\\t\\n\\f\\r ]');
      }
      const low = this.classChar();
      if (low > 0xffff)
        throw new Re2SyntaxError('characters outside the BMP are not supported inside brackets');
      if (this.peek() === '-' && this.text.charAt(this.pos + 1) !== ']' && this.pos + 1 < this.text.length) {
        this.pos++;
        const high = this.classChar();
        if (high < low) throw new Re2SyntaxError(`invalid class range at offset ${start}`);
        body += `${literal(low)}-${literal(high)}`;
        if (this.flags.i) body += foldedRange(low, high);
      } else {
        body += literal(low);
        if (this.flags.i) body += foldedRange(low, low);
      }
    }
    if (this.peek() !== ']') throw new Re2SyntaxError(`missing ] for the class at offset ${start}`);
    this.pos++;
    return `[${negated ? '^' : ''}${body}]`;
  }

  private classChar(): number {
    if (this.peek() === '\\') {
      const code = this.escapedChar();
      if (code === undefined)
        throw new Re2SyntaxError(`invalid escape \\${this.text.charAt(this.pos + 1)} at offset ${this.pos}`);
      return code;
    }
    const codePoint = this.text.codePointAt(this.pos) ?? 0;
    this.pos += codePoint > 0xffff ? 2 : 1;
    return codePoint;
  }

  private peek(): string {
    return this.text.charAt(this.pos);
  }
}

/** The code point and its other cases (simple, one-code-point mappings), the code point first. */
function caseVariants(codePoint: number): number[] {
  const text = String.fromCodePoint(codePoint);
  const out = [codePoint];
  for (const other of [text.toLowerCase(), text.toUpperCase()]) {
    const code = other.codePointAt(0) ?? codePoint;
    if ([...other].length === 1 && !out.includes(code)) out.push(code);
  }
  return out;
}

/** Class source for the other cases of `low`-`high` (to add to a class under `(?i)`). */
function foldedRange(low: number, high: number): string {
  let out = '';
  const overlap = (from: number, to: number, shift: number): void => {
    const a = Math.max(low, from);
    const b = Math.min(high, to);
    if (a <= b) out += `${literal(a + shift)}-${literal(b + shift)}`;
  };
  overlap(0x41, 0x5a, 0x20); // A-Z -> a-z
  overlap(0x61, 0x7a, -0x20); // a-z -> A-Z
  const from = Math.max(low, 0x80);
  if (from > high) return out;
  if (high - from > MAX_FOLDED_RANGE)
    throw new Re2SyntaxError('a case-insensitive class range this large outside ASCII is not supported');
  for (let code = from; code <= high; code++) {
    for (const variant of caseVariants(code).slice(1)) {
      if (variant > 0xffff)
        throw new Re2SyntaxError('characters outside the BMP are not supported inside brackets');
      out += literal(variant);
    }
  }
  return out;
}

/** A code point as JavaScript regexp source that means exactly that character (no u flag). */
export function literal(codePoint: number): string {
  if (/[A-Za-z0-9_]/.test(String.fromCharCode(codePoint)) && codePoint < 0x80)
    return String.fromCharCode(codePoint);
  if (codePoint < 0x100) return `\\x${codePoint.toString(16).padStart(2, '0')}`;
  if (codePoint <= 0xffff) return `\\u${codePoint.toString(16).padStart(4, '0')}`;
  // Astral characters are two code units without the u flag: group them.
  const text = String.fromCodePoint(codePoint);
  return `(?:\\u${text.charCodeAt(0).toString(16)}\\u${text.charCodeAt(1).toString(16)})`;
}
