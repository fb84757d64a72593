import type { MatchingStrategy } from '../config.js';
import { translateGlob } from './glob.js';
import { compileLinear } from './linear.js';
import { type PatternShape, patternShape } from './prefix.js';
import { literal, type Re2Group, Re2SyntaxError, translateRe2 } from './re2.js';

/** A rule's `match.url`, compiled. */
export interface CompiledPattern {
  /** The `<...>` groups when `target` matches the whole pattern; undefined otherwise. */
  exec(target: string): readonly string[] | undefined;
  /** `linear`: V8's linear-time engine; `backtracking`: a pattern that passed the cost guard. */
  readonly engine: 'linear' | 'backtracking';
  /** Text every matching URL starts with, tested before the regexp runs (see prefix.ts). */
  readonly prefix: string;
}

export type CompileResult =
  | { readonly ok: true; readonly pattern: CompiledPattern }
  | { readonly ok: false; readonly message: string };

/**
 * Most unbounded quantifiers (`*`, `+`, `{n,}`) a pattern may hold when it must run on the
 * backtracking engine (a lookaround, or no linear engine): with two the worst case is
 * quadratic in the URL length, which the URL length cap bounds.
 */
export const MAX_BACKTRACKING_UNBOUNDED = 2;

/** A pattern as JavaScript regexp source, with what the cost guard needs. */
export type TranslateResult =
  | {
      readonly ok: true;
      /** `^...$`, no flags; regexp `<...>` are capture groups, glob ones are not. */
      readonly source: string;
      /** Start and end (exclusive) offsets of each top-level `<...>`. */
      readonly delimiters: readonly number[];
      readonly nested: boolean;
      readonly unbounded: number;
      /**
       * Oathkeeper's capture groups (`RegexpCaptureGroups`) in order, each as the groups of
       * `source` (1-based) that may hold it, the one to read first first; undefined when they
       * are simply the groups of `source` in order (no named group).
       */
      readonly captures?: readonly (readonly number[])[];
    }
  | { readonly ok: false; readonly message: string };

/**
 * Translates `pattern` with Oathkeeper's syntax: text outside `<` `>` is literal, text inside is
 * a regular expression (RE2 syntax, `regexp`) or a glob (gobwas syntax, `glob`). The whole
 * URL must match. Each regexp `<...>` is a capture group, as in Oathkeeper.
 */
export function translatePattern(pattern: string, strategy: MatchingStrategy): TranslateResult {
  const indices = delimiterIndices(pattern);
  if (indices === undefined) return { ok: false, message: 'unbalanced < > delimiters' };
  let source = '^';
  let nested = false;
  let unbounded = 0;
  let end = 0;
  /** Every group of `source` in the order of its `(`, with its name and where its `)` is. */
  const groups: Re2Group[] = [];
  for (let i = 0; i < indices.length; i += 2) {
    const open = indices[i] ?? 0;
    const close = indices[i + 1] ?? 0;
    source += literalSource(pattern.slice(end, open));
    const inner = pattern.slice(open + 1, close - 1);
    try {
      if (strategy === 'regexp') {
        // Named groups are written plain: a name may repeat in regexp2 (and across <...>), and
        // the groups are read by position (see regexp2Captures).
        const translated = translateRe2(inner, { namesAsPlainGroups: true });
        source += `(${translated.source})`;
        groups.push({ name: undefined, end: close - 1 });
        for (const group of translated.groups) groups.push({ name: group.name, end: open + 1 + group.end });
        nested ||= translated.nestedRepetition;
        unbounded += translated.unbounded;
      } else {
        const translated = translateGlob(inner);
        source += `(?:${translated.source})`;
        unbounded += translated.unbounded;
      }
    } catch (error) {
      if (error instanceof Re2SyntaxError) return { ok: false, message: `in <${inner}>: ${error.message}` };
      throw error;
    }
    end = close;
  }
  source += `${literalSource(pattern.slice(end))}$`;
  const captures = regexp2Captures(groups);
  return { ok: true, source, delimiters: indices, nested, unbounded, ...(captures ? { captures } : {}) };
}

/**
 * Oathkeeper's capture groups are regexp2's `m.Groups()[1:]` (rule/engine_regexp.go) over the
 * regexp ory/ladon's CompileRegex builds (`(` + each `<...>` + `)`, compiled with regexp2.RE2).
 * regexp2 numbers groups as .NET does (syntax/parser.go, countCaptures then assignNameSlots):
 * unnamed groups first, in the order of their `(`, then one group per distinct name, in the
 * order the names first appear. A repeated name is one group holding its last capture: of its
 * groups that took part, the one whose `)` comes last (a later one in sequence, the enclosing
 * one when nested; alternatives and repetitions leave only one of them set in JavaScript).
 * Undefined when there is no named group: the groups are then the regexp's, in order.
 */
function regexp2Captures(groups: readonly Re2Group[]): number[][] | undefined {
  if (groups.every((group) => group.name === undefined)) return undefined;
  const unnamed: number[][] = [];
  const named = new Map<string, number[]>();
  groups.forEach((group, i) => {
    if (group.name === undefined) unnamed.push([i + 1]);
    else named.set(group.name, [...(named.get(group.name) ?? []), i + 1]);
  });
  const lastClosedFirst = (a: number, b: number) => (groups[b - 1]?.end ?? 0) - (groups[a - 1]?.end ?? 0);
  return [...unnamed, ...[...named.values()].map((slots) => slots.sort(lastClosedFirst))];
}

/**
 * Compiles `pattern` (see {@link translatePattern}) for the linear-time engine, or for the
 * backtracking one when the cost guard lets it.
 */
export function compilePattern(pattern: string, strategy: MatchingStrategy): CompileResult {
  const translated = translatePattern(pattern, strategy);
  if (!translated.ok) return translated;
  const { source, nested, unbounded } = translated;
  // Glob `<...>` capture nothing (Oathkeeper's glob engine has no submatches).
  const captures: Captures = strategy === 'regexp' ? (translated.captures ?? 'in_order') : 'none';
  const shape = patternShape(pattern, translated.delimiters, strategy);

  const linear = compileLinear(source);
  if (linear !== undefined) return { ok: true, pattern: wrap(linear, 'linear', captures, shape) };

  if (nested)
    return {
      ok: false,
      message:
        'a repeated group holds a repetition or alternation, e.g. (a+)+; with a lookaround this could backtrack catastrophically: rewrite it',
    };
  if (unbounded > MAX_BACKTRACKING_UNBOUNDED)
    return {
      ok: false,
      message: `more than ${MAX_BACKTRACKING_UNBOUNDED} unbounded quantifiers (*, +, {n,}) together with a lookaround; use [^/]* for path segments or drop the lookaround`,
    };
  let regexp: RegExp;
  try {
    regexp = new RegExp(source);
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  return { ok: true, pattern: wrap(regexp, 'backtracking', captures, shape) };
}

/**
 * The regexp behind a prefix test; for `prefix<.*>` and `prefix<**>`, the same answer the
 * regexp would give (`.` is `[^\n]`; `**` is anything; glob captures nothing), without it.
 */
function wrap(
  regexp: RegExp,
  engine: CompiledPattern['engine'],
  captures: Captures,
  { prefix, rest }: PatternShape,
): CompiledPattern {
  if (rest === 'captured_line')
    return {
      engine,
      prefix,
      exec(target) {
        if (!target.startsWith(prefix)) return undefined;
        const tail = target.slice(prefix.length);
        return tail.includes('\n') ? undefined : [tail];
      },
    };
  if (rest === 'anything')
    return { engine, prefix, exec: (target) => (target.startsWith(prefix) ? [] : undefined) };
  return {
    engine,
    prefix,
    exec(target) {
      if (!target.startsWith(prefix)) return undefined;
      const match = regexp.exec(target);
      if (match === null) return undefined;
      if (captures === 'none') return [];
      if (captures === 'in_order') return match.slice(1).map((group) => group ?? '');
      return captures.map((slots) => {
        for (const slot of slots) {
          const value = match[slot];
          if (value !== undefined) return value;
        }
        return '';
      });
    },
  };
}

/** Which groups `exec` returns: none (glob), the regexp's in order, or regexp2's (see regexp2Captures). */
type Captures = 'none' | 'in_order' | readonly (readonly number[])[];

/**
 * Start and end (exclusive) offsets of each top-level `<...>`, nesting counted as in
 * Oathkeeper (ory/ladon's compiler); undefined when unbalanced. So a lookbehind `(?<!x)`
 * needs a matching `>` inside the same delimiters, exactly as in Oathkeeper.
 */
export function delimiterIndices(pattern: string): number[] | undefined {
  let level = 0;
  let start = 0;
  const indices: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === '<') {
      level++;
      if (level === 1) start = i;
    } else if (char === '>') {
      level--;
      if (level === 0) indices.push(start, i + 1);
      else if (level < 0) return undefined;
    }
  }
  return level === 0 ? indices : undefined;
}

/**
 * Literal pattern text as regexp source. Characters a normalised URL carries
 * percent-encoded (space, non-ASCII) are encoded first, so `/café` matches `/caf%C3%A9`.
 */
function literalSource(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code > 0x20 && code < 0x7f) out += literal(code);
    else
      for (const byte of Buffer.from(char, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
