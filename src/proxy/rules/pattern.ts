import type { MatchingStrategy } from '../config.js';
import { translateGlob } from './glob.js';
import { compileLinear } from './linear.js';
import { type PatternShape, patternShape } from './prefix.js';
import { literal, Re2SyntaxError, translateRe2 } from './re2.js';

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
  for (let i = 0; i < indices.length; i += 2) {
    const open = indices[i] ?? 0;
    const close = indices[i + 1] ?? 0;
    source += literalSource(pattern.slice(end, open));
    const inner = pattern.slice(open + 1, close - 1);
    try {
      if (strategy === 'regexp') {
        const translated = translateRe2(inner);
        source += `(${translated.source})`;
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
  return { ok: true, source, delimiters: indices, nested, unbounded };
}

/**
 * Compiles `pattern` (see {@link translatePattern}) for the linear-time engine, or for the
 * backtracking one when the cost guard lets it.
 */
export function compilePattern(pattern: string, strategy: MatchingStrategy): CompileResult {
  const translated = translatePattern(pattern, strategy);
  if (!translated.ok) return translated;
  const { source, nested, unbounded } = translated;
  const captures = strategy === 'regexp';
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
  captures: boolean,
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
      return captures ? match.slice(1).map((group) => group ?? '') : [];
    },
  };
}

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
