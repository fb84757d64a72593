import type { MatchingStrategy } from '../config.js';
import { translateGlob } from './glob.js';
import { compileLinear } from './linear.js';
import { literal, Re2SyntaxError, translateRe2 } from './re2.js';

/** A rule's `match.url`, compiled. */
export interface CompiledPattern {
  /** The `<...>` groups when `target` matches the whole pattern; undefined otherwise. */
  exec(target: string): readonly string[] | undefined;
  /** `linear`: V8's linear-time engine; `backtracking`: a pattern that passed the cost guard. */
  readonly engine: 'linear' | 'backtracking';
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

/**
 * Compiles `pattern` with Oathkeeper's syntax: text outside `<` `>` is literal, text inside is
 * a regular expression (RE2 syntax, `regexp`) or a glob (gobwas syntax, `glob`). The whole
 * URL must match. Each regexp `<...>` is a capture group, as in Oathkeeper.
 */
export function compilePattern(pattern: string, strategy: MatchingStrategy): CompileResult {
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
  const captures = strategy === 'regexp';

  const linear = compileLinear(source);
  if (linear !== undefined) return { ok: true, pattern: wrap(linear, 'linear', captures) };

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
  return { ok: true, pattern: wrap(regexp, 'backtracking', captures) };
}

function wrap(regexp: RegExp, engine: CompiledPattern['engine'], captures: boolean): CompiledPattern {
  return {
    engine,
    exec(target) {
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
