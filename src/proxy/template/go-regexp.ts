/**
 * Go's regexp (RE2 syntax) for sprig's regex functions: the pattern is translated by the rule
 * matcher's RE2 translator and run on V8's linear-time engine when available, so request data
 * cannot make a pattern backtrack. Matching follows Go's loops: successive non-overlapping
 * matches, an empty match right after a match ignored, `$1` / `${name}` expanded as Go's
 * Regexp.Expand does (`$1x` is the group named `1x`, so empty).
 */

import { linearRegexpAvailable } from '../rules/linear.js';
import { MAX_BACKTRACKING_UNBOUNDED } from '../rules/pattern.js';
import { Re2SyntaxError, translateRe2 } from '../rules/re2.js';
import { TemplateError } from './errors.js';

// A variable, not a literal: TypeScript does not know V8's experimental flag.
const LINEAR: string = 'l';

const MAX_CACHED = 256;
const cache = new Map<string, RegExp | string>();

function build(pattern: string): RegExp | string {
  let translated: ReturnType<typeof translateRe2>;
  try {
    translated = translateRe2(pattern);
  } catch (error) {
    if (error instanceof Re2SyntaxError) return `error parsing regexp: ${error.message}`;
    throw error;
  }
  if (translated.lookaround)
    return 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`, `(?!`, `(?<=`, `(?<!`';
  if (linearRegexpAvailable()) {
    try {
      return new RegExp(translated.source, `${LINEAR}g`);
    } catch {
      // Not for the linear engine: the cost guard below decides.
    }
  }
  if (translated.nestedRepetition || translated.unbounded > MAX_BACKTRACKING_UNBOUNDED)
    return 'regexp too costly without the linear-time engine: a repeated group holds a repetition, or more than two unbounded quantifiers';
  try {
    return new RegExp(translated.source, 'g');
  } catch (error) {
    return `error parsing regexp: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The compiled pattern, or the compile error's text. */
export function compileGoRegexp(pattern: string): RegExp | string {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    compiled = build(pattern);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(pattern, compiled);
  }
  return compiled;
}

/** The pattern compiled, or a TemplateError('exec') with `message(error)`. */
export function mustCompile(pattern: string, message: (error: string) => string = (e) => e): RegExp {
  const compiled = compileGoRegexp(pattern);
  if (typeof compiled === 'string') throw new TemplateError('exec', message(compiled));
  return compiled;
}

function execAt(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

/** The index after the character at `pos`. */
function nextChar(s: string, pos: number): number {
  const cp = s.codePointAt(pos) ?? 0;
  return pos + (cp > 0xffff ? 2 : 1);
}

/** Go's allMatches: up to `n` matches (all when n < 0). */
export function allMatches(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const limit = n < 0 ? s.length + 1 : n;
  const out: RegExpExecArray[] = [];
  let pos = 0;
  let prevEnd = -1;
  while (out.length < limit && pos <= s.length) {
    const m = execAt(re, s, pos);
    if (m === null) break;
    const end = m.index + m[0].length;
    let accept = true;
    if (end === pos) {
      if (m.index === prevEnd) accept = false;
      pos = pos < s.length ? nextChar(s, pos) : s.length + 1;
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

/** Go's Regexp.replaceAll with `replacement` producing each match's text. */
export function replaceAll(re: RegExp, s: string, replacement: (m: RegExpExecArray) => string): string {
  let out = '';
  let lastEnd = 0;
  let searchPos = 0;
  while (searchPos <= s.length) {
    const m = execAt(re, s, searchPos);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    out += s.slice(lastEnd, start);
    if (end > lastEnd || start === 0) out += replacement(m);
    lastEnd = end;
    const width = searchPos < s.length ? nextChar(s, searchPos) - searchPos : 0;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + s.slice(lastEnd);
}

const NAME_CHAR = /^[\p{L}\p{Nd}_]$/u;

/** Go's Regexp.Expand of `template` for one match. */
export function expand(template: string, m: RegExpExecArray): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = extract(rest);
    if (ref === undefined) {
      out += '$';
      continue;
    }
    rest = ref.rest;
    out += ref.num >= 0 ? (m[ref.num] ?? '') : (m.groups?.[ref.name] ?? '');
  }
  return out + rest;
}

function extract(s: string): { name: string; num: number; rest: string } | undefined {
  let body = s;
  const brace = body.startsWith('{');
  if (brace) body = body.slice(1);
  let name = '';
  for (const ch of body) {
    if (!NAME_CHAR.test(ch)) break;
    name += ch;
  }
  if (name === '') return undefined;
  let i = name.length;
  if (brace) {
    if (body[i] !== '}') return undefined;
    i++;
  }
  let num = /^[0-9]+$/.test(name) && name.length <= 9 ? Number(name) : -1;
  if (name.startsWith('0') && name.length > 1) num = -1;
  return { name, num, rest: body.slice(i) };
}

/** Go's Regexp.Split. */
export function split(re: RegExp, pattern: string, s: string, n: number): string[] | undefined {
  if (n === 0) return undefined;
  if (pattern.length > 0 && s === '') return [''];
  const parts: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of allMatches(re, s, n)) {
    if (n > 0 && parts.length === n - 1) break;
    end = m.index;
    if (m.index + m[0].length !== 0) parts.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) parts.push(s.slice(beg));
  return parts;
}

/** Go's regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}
