/**
 * Refusing `import`, `importstr` and `importbin` before a template reaches libjsonnet.
 *
 * The binding (@hanazuki/node-jsonnet) does not expose libjsonnet's import callback, so the
 * default one is always active: it reads any path the process can read (`importstr "/etc/passwd"`,
 * or a path relative to the working directory). Imports cannot be confined at run time, so they
 * are refused statically. In Jsonnet an import is a keyword followed by a string literal (paths
 * are never computed), so a template can only import if one of the three keywords appears as a
 * token. Ext vars and top-level arguments are passed as JSON text, which holds no keyword tokens.
 *
 * The scan is two-step so a mistake in it can only refuse too much, never let an import through:
 * a source in which the word does not appear at all is accepted outright; otherwise it is lexed
 * with libjsonnet's own rules (lexer.cpp in libjsonnet 0.20: strings, verbatim strings, text
 * blocks, comments) to tell a keyword from the same word inside a string or a comment, and a
 * source that cannot be lexed is refused.
 */

/** Where an import keyword was found, 1-based as in libjsonnet's messages. */
export interface ImportToken {
  keyword: 'import' | 'importstr' | 'importbin';
  line: number;
  column: number;
}

const IMPORT_WORD = /(?<![A-Za-z0-9_])import(?:str|bin)?(?![A-Za-z0-9_])/;
const IMPORT_KEYWORDS = new Set(['import', 'importstr', 'importbin']);

/** Thrown by the lexer on input libjsonnet would reject too; the caller refuses the source. */
class LexError extends Error {}

const isIdentifierFirst = (c: string): boolean =>
  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentifier = (c: string): boolean => isIdentifierFirst(c) || (c >= '0' && c <= '9');
const isHorizontalWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r';

/**
 * The first import keyword in `source`, `undefined` when there is none, or `'unverifiable'` when
 * the word appears but the source cannot be lexed (libjsonnet would reject it as well).
 */
export function findImport(source: string): ImportToken | 'unverifiable' | undefined {
  if (!IMPORT_WORD.test(source)) return undefined;
  try {
    return lexForImport(source);
  } catch (error) {
    if (error instanceof LexError) return 'unverifiable';
    throw error;
  }
}

function lexForImport(source: string): ImportToken | undefined {
  const at = (i: number): string => source[i] ?? '';
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const newline = (index: number): void => {
    line++;
    lineStart = index + 1;
  };

  while (i < source.length) {
    const c = at(i);
    if (c === '\n') {
      newline(i);
      i++;
    } else if (isHorizontalWhitespace(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      // Ordinary string: a backslash escapes the next character, newlines are allowed.
      i++;
      for (;;) {
        if (i >= source.length) throw new LexError('unterminated string');
        const s = at(i);
        if (s === c) break;
        if (s === '\\' && i + 1 < source.length) i++;
        if (at(i) === '\n') newline(i);
        i++;
      }
      i++;
    } else if (c === '@') {
      // Verbatim string: no escapes, a doubled quote stands for one.
      const quote = at(i + 1);
      if (quote !== '"' && quote !== "'") throw new LexError("junk after '@'");
      i += 2;
      for (;;) {
        if (i >= source.length) throw new LexError('unterminated verbatim string');
        const s = at(i);
        if (s === quote) {
          if (at(i + 1) === quote) i++;
          else break;
        }
        if (s === '\n') newline(i);
        i++;
      }
      i++;
    } else if (c === '#' || (c === '/' && at(i + 1) === '/')) {
      while (i < source.length && at(i) !== '\n') i++;
    } else if (c === '/' && at(i + 1) === '*') {
      i += 2;
      while (!(at(i) === '*' && at(i + 1) === '/')) {
        if (i >= source.length) throw new LexError('unterminated comment');
        if (at(i) === '\n') newline(i);
        i++;
      }
      i += 2;
    } else if (c === '|' && at(i + 1) === '|' && at(i + 2) === '|') {
      i = skipTextBlock(source, i + 3, newline);
    } else if (isIdentifierFirst(c)) {
      const begin = i;
      while (i < source.length && isIdentifier(at(i))) i++;
      const word = source.slice(begin, i);
      if (IMPORT_KEYWORDS.has(word)) {
        return { keyword: word as ImportToken['keyword'], line, column: begin - lineStart + 1 };
      }
    } else {
      // Numbers, operators, punctuation: none can contain a keyword or start a string or comment
      // in a way the branches above do not see, so one character at a time is enough.
      i++;
    }
  }
  return undefined;
}

/**
 * Skips a `|||` text block whose opening `|||` ends just before `start`; returns the index after
 * the closing `|||`. Follows libjsonnet: the first non-blank line sets the indentation, the block
 * ends at the first line without it, which must hold only whitespace and `|||`.
 */
function skipTextBlock(source: string, start: number, newline: (index: number) => void): number {
  const at = (i: number): string => source[i] ?? '';
  let i = start;
  while (isHorizontalWhitespace(at(i))) i++;
  if (at(i) !== '\n') throw new LexError('text block needs a new line after |||');
  newline(i);
  i++;
  while (at(i) === '\n') {
    newline(i);
    i++;
  }
  const firstLine = i;
  const indentation = (from: number): number => {
    let n = 0;
    while (at(firstLine + n) === ' ' || at(firstLine + n) === '\t') {
      if (at(from + n) !== at(firstLine + n)) return 0;
      n++;
    }
    return n;
  };
  let indent = indentation(firstLine);
  if (indent === 0) throw new LexError("text block's first line must start with whitespace");
  for (;;) {
    i += indent;
    while (at(i) !== '\n') {
      if (i >= source.length) throw new LexError('unterminated text block');
      i++;
    }
    newline(i);
    i++;
    while (at(i) === '\n') {
      newline(i);
      i++;
    }
    indent = indentation(i);
    if (indent === 0) {
      while (at(i) === ' ' || at(i) === '\t') i++;
      if (!(at(i) === '|' && at(i + 1) === '|' && at(i + 2) === '|')) {
        throw new LexError('text block not terminated with |||');
      }
      return i + 3;
    }
  }
}
