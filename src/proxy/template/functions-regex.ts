/**
 * Sprig's regex functions (regex.go, v3.2): `regexMatch` is false for a bad pattern; the
 * others fail the template (sprig calls regexp.MustCompile); the `must` variants fail with the
 * compile error. The pattern is Go RE2 syntax (see go-regexp.ts).
 */
import {
  allMatches,
  compileGoRegexp,
  expand,
  mustCompile,
  quoteMeta,
  replaceAll,
  split,
} from './go-regexp.js';
import { fixed, type GoFunction } from './signature.js';
import { NIL_LIST } from './values.js';

const panicking = (pattern: string) => (error: string) => `regexp: Compile(${quoteGo(pattern)}): ${error}`;

/** strconv.Quote-ish backquoting as regexp.MustCompile's panic prints the pattern. */
function quoteGo(pattern: string): string {
  return pattern.includes('`') ? JSON.stringify(pattern) : `\`${pattern}\``;
}

type Compile = (pattern: string) => RegExp;

const lenient: Compile = (pattern) => mustCompile(pattern, panicking(pattern));
const strict: Compile = (pattern) => mustCompile(pattern);

function family(compile: Compile): Record<string, GoFunction> {
  return {
    FindAll: fixed(['string', 'string', 'int'], (pattern, s, n) => {
      const matches = allMatches(compile(pattern), s, n);
      return matches.length === 0 ? NIL_LIST : matches.map((m) => m[0]);
    }),
    Find: fixed(['string', 'string'], (pattern, s) => allMatches(compile(pattern), s, 1)[0]?.[0] ?? ''),
    ReplaceAll: fixed(['string', 'string', 'string'], (pattern, s, template) =>
      replaceAll(compile(pattern), s, (m) => expand(template, m)),
    ),
    ReplaceAllLiteral: fixed(['string', 'string', 'string'], (pattern, s, literal) =>
      replaceAll(compile(pattern), s, () => literal),
    ),
    Split: fixed(
      ['string', 'string', 'int'],
      (pattern, s, n) => split(compile(pattern), pattern, s, n) ?? NIL_LIST,
    ),
  };
}

function matches(pattern: string, s: string, compile: Compile): boolean {
  return allMatches(compile(pattern), s, 1).length > 0;
}

const LENIENT = family(lenient);
const STRICT = family(strict);

export const REGEX_FUNCTIONS: ReadonlyArray<readonly [string, GoFunction]> = [
  [
    'regexMatch',
    fixed(['string', 'string'], (pattern, s) => {
      const compiled = compileGoRegexp(pattern);
      return typeof compiled !== 'string' && matches(pattern, s, () => compiled);
    }),
  ],
  ['mustRegexMatch', fixed(['string', 'string'], (pattern, s) => matches(pattern, s, strict))],
  ...Object.entries(LENIENT).map(([suffix, fn]) => [`regex${suffix}`, fn] as const),
  ...Object.entries(STRICT).map(([suffix, fn]) => [`mustRegex${suffix}`, fn] as const),
  ['regexQuoteMeta', fixed(['string'], quoteMeta)],
];
