import { isRecord } from '../../kernel/json.js';

/**
 * The GJSON path syntax (github.com/tidwall/gjson) that `subject_from` / `extra_from` are
 * written in, evaluated on a parsed JSON document:
 *
 * - dotted keys (`identity.traits.email`), `\` escaping a special character (`a\.b`);
 * - `*` and `?` wildcards in a key (the first key that matches, in document order);
 * - array indices (`emails.0`), `#` for an array's length;
 * - `#.rest`: `rest` of every element, as an array (elements without it are skipped);
 * - queries `#(path op value)` (the first matching element) and `#(...)#` (all of them), with
 *   `==`, `=`, `!=`, `<`, `<=`, `>`, `>=`, `%` and `!%` (like, `*` and `?`), a value being a JSON
 *   string, a number, `true`, `false` or `null`; `#(path)` tests existence; the path may be
 *   empty to compare the element itself (`#(=="admin")`) and may hold queries itself;
 * - `|` pipes (`emails.#.value|0`) and the `@this` modifier.
 *
 * Anything else (the other modifiers, multipaths `[a,b]` / `{a,b}`, `!` literals, `..` JSON
 * lines) is refused by {@link compileGjsonPath} so that a rule using it does not load, rather
 * than authenticate with an empty subject: Oathkeeper, which runs full GJSON, would find one.
 */

type Step =
  | { kind: 'key'; name: string; pattern: RegExp | undefined }
  | { kind: 'count' }
  | { kind: 'map' }
  | { kind: 'query'; query: Query; all: boolean }
  | { kind: 'this' };

interface Query {
  path: Step[][] | undefined;
  op: '' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '%' | '!%';
  value: unknown;
  like: RegExp | undefined;
}

export type GjsonPath = { ok: true; get(document: unknown): unknown } | { ok: false; message: string };

/** gjson's built-in modifiers; only `@this` is supported here. */
const MODIFIERS = new Set([
  'reverse',
  'ugly',
  'pretty',
  'valid',
  'flatten',
  'join',
  'keys',
  'values',
  'tostr',
  'fromstr',
  'group',
  'dig',
]);

class GjsonSyntaxError extends Error {}

/** Parses `path` once (when the rule loads); `get` then returns undefined when nothing is found. */
export function compileGjsonPath(path: string): GjsonPath {
  try {
    const pipes = parsePath(path);
    return { ok: true, get: (document) => evaluatePipes(document, pipes) };
  } catch (error) {
    if (error instanceof GjsonSyntaxError)
      return { ok: false, message: `GJSON path "${path}": ${error.message}` };
    throw error;
  }
}

function evaluatePipes(document: unknown, pipes: Step[][]): unknown {
  let value = document;
  for (const steps of pipes) {
    value = evaluate(value, steps, 0);
    if (value === undefined) return undefined;
  }
  return value;
}

function evaluate(value: unknown, steps: readonly Step[], index: number): unknown {
  const step = steps[index];
  if (step === undefined) return value;
  switch (step.kind) {
    case 'this':
      return evaluate(value, steps, index + 1);
    case 'key': {
      if (Array.isArray(value)) {
        if (step.pattern !== undefined || !/^\d+$/.test(step.name)) return undefined;
        const item: unknown = value[Number(step.name)];
        return item === undefined ? undefined : evaluate(item, steps, index + 1);
      }
      if (!isRecord(value)) return undefined;
      const { pattern } = step;
      const key =
        pattern === undefined
          ? Object.hasOwn(value, step.name)
            ? step.name
            : undefined
          : Object.keys(value).find((candidate) => pattern.test(candidate));
      return key === undefined ? undefined : evaluate(value[key], steps, index + 1);
    }
    case 'count':
      if (Array.isArray(value)) return value.length;
      return isRecord(value) && Object.hasOwn(value, '#')
        ? evaluate(value['#'], steps, index + 1)
        : undefined;
    case 'map':
      if (!Array.isArray(value)) return undefined;
      return collect(value, steps, index + 1);
    case 'query': {
      if (!Array.isArray(value)) return undefined;
      if (step.all)
        return collect(
          value.filter((item) => matches(step.query, item)),
          steps,
          index + 1,
        );
      // The first match only: no need to test the rest of the array.
      const first = value.findIndex((item) => matches(step.query, item));
      return first === -1 ? undefined : evaluate(value[first], steps, index + 1);
    }
  }
}

/** The rest of the path on every element, keeping those where it finds something. */
function collect(items: readonly unknown[], steps: readonly Step[], index: number): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    const found = evaluate(item, steps, index);
    if (found !== undefined) out.push(found);
  }
  return out;
}

/** gjson's queryMatches: compares by the type of the element's value. */
function matches(query: Query, item: unknown): boolean {
  const value = query.path === undefined ? item : evaluatePipes(item, query.path);
  if (value === undefined) return false;
  if (query.op === '') return true;
  const wanted = query.value;
  if (typeof value === 'string') {
    if (query.op === '%') return query.like?.test(value) === true;
    if (query.op === '!%') return query.like?.test(value) !== true;
    return compare(query.op, value, typeof wanted === 'string' ? wanted : JSON.stringify(wanted));
  }
  if (typeof value === 'number') {
    const number = typeof wanted === 'number' ? wanted : Number.parseFloat(String(wanted));
    return compare(query.op, value, Number.isNaN(number) ? 0 : number);
  }
  if (typeof value === 'boolean') {
    // gjson's True / False cases, exactly: true > false; anything else is no match.
    const text = String(wanted);
    if (query.op === '==') return text === String(value);
    if (query.op === '!=') return text !== String(value);
    if (value) return (query.op === '>' && text === 'false') || query.op === '>=';
    return (query.op === '<' && text === 'true') || query.op === '<=';
  }
  return false;
}

/** `value op wanted`, for strings and numbers alike; false for the other operators (like, existence). */
function compare<T extends string | number>(op: Query['op'], value: T, wanted: T): boolean {
  switch (op) {
    case '==':
      return value === wanted;
    case '!=':
      return value !== wanted;
    case '<':
      return value < wanted;
    case '<=':
      return value <= wanted;
    case '>':
      return value > wanted;
    case '>=':
      return value >= wanted;
    default:
      return false;
  }
}

/** Splits at top-level `|` and parses each part into steps. */
function parsePath(path: string): Step[][] {
  if (path === '') throw new GjsonSyntaxError('is empty');
  if (path.startsWith('..')) throw new GjsonSyntaxError('JSON lines (..) are not supported');
  if (path.startsWith('!')) throw new GjsonSyntaxError('literals (!true) are not supported');
  if (path.startsWith('[') || path.startsWith('{'))
    throw new GjsonSyntaxError('multipaths ([a,b] and {a,b}) are not supported');
  return splitTopLevel(path, '|').map(parseSteps);
}

function parseSteps(path: string): Step[] {
  return splitTopLevel(path, '.').map((component, i, all) => parseComponent(component, i < all.length - 1));
}

function parseComponent(component: string, more: boolean): Step {
  if (component === '#') return more ? { kind: 'map' } : { kind: 'count' };
  if (component.startsWith('#(')) {
    const close = closingParen(component, 1);
    const tail = component.slice(close + 1);
    if (tail !== '' && tail !== '#')
      throw new GjsonSyntaxError(`unexpected "${tail}" after the query ${component.slice(0, close + 1)}`);
    return { kind: 'query', query: parseQuery(component.slice(2, close)), all: tail === '#' };
  }
  if (component.startsWith('@')) {
    const name = component.slice(1).split(':')[0] ?? '';
    if (name === 'this') return { kind: 'this' };
    if (MODIFIERS.has(name)) throw new GjsonSyntaxError(`the modifier @${name} is not supported`);
  }
  return keyStep(component);
}

/** A key with its escapes resolved; a wildcard pattern when it has an unescaped `*` or `?`. */
function keyStep(component: string): Step {
  const { literal, source, wild } = scanWildcards(component);
  return { kind: 'key', name: literal, pattern: wild ? new RegExp(`^${source}$`, 'u') : undefined };
}

const OPERATORS = ['==', '!=', '<=', '>=', '!%', '=', '<', '>', '%'] as const;

const operatorAt = (text: string, at: number) => OPERATORS.find((op) => text.startsWith(op, at));

/** `path op value` inside `#( )`. */
function parseQuery(text: string): Query {
  const i = scanUnquoted(text, 0, (at, depth) => depth === 0 && operatorAt(text, at) !== undefined);
  const op = i === -1 ? undefined : operatorAt(text, i);
  if (op !== undefined) {
    const path = text.slice(0, i).trim();
    const value = parseValue(text.slice(i + op.length).trim());
    const normalised = op === '=' ? '==' : op;
    return {
      path: path === '' ? undefined : parsePath(path),
      op: normalised,
      value,
      like: normalised === '%' || normalised === '!%' ? likePattern(String(value)) : undefined,
    };
  }
  const path = text.trim();
  if (path === '') throw new GjsonSyntaxError('an empty query #()');
  return { path: parsePath(path), op: '', value: undefined, like: undefined };
}

function parseValue(text: string): unknown {
  if (text.startsWith('~')) throw new GjsonSyntaxError('~ (truthy) query values are not supported');
  if (text.startsWith('"')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new GjsonSyntaxError(`the query value ${text} is not a JSON string`);
    }
  }
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (text !== '' && !Number.isNaN(Number(text))) return Number(text);
  throw new GjsonSyntaxError(`the query value "${text}" is not a JSON string, number, true, false or null`);
}

/** A `%` / `!%` query value as a pattern (tidwall/match). */
function likePattern(text: string): RegExp {
  return new RegExp(`^${scanWildcards(text).source}$`, 'u');
}

/**
 * tidwall/match's syntax, which keys and like patterns share: `*` any run, `?` one character,
 * `\` escapes the next character. The text with its escapes resolved, as regexp source, and
 * whether it has a wildcard.
 */
function scanWildcards(text: string): { literal: string; source: string; wild: boolean } {
  let literal = '';
  let source = '';
  let wild = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\' && i + 1 < text.length) {
      const next = text.charAt(++i);
      literal += next;
      source += escapeRegExp(next);
    } else if (c === '*' || c === '?') {
      wild = true;
      literal += c;
      source += c === '*' ? '[\\s\\S]*' : '[\\s\\S]';
    } else {
      literal += c;
      source += escapeRegExp(c);
    }
  }
  return { literal, source, wild };
}

/** Splits on `separator` outside escapes, `( )` and `" "`. */
function splitTopLevel(path: string, separator: '.' | '|'): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charAt(i);
    if (c === '\\' && i + 1 < path.length) {
      current += c + path.charAt(++i);
      continue;
    }
    if (depth > 0 && c === '"') quoted = !quoted;
    if (!quoted) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
    }
    if (c === separator && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  if (depth !== 0 || quoted) throw new GjsonSyntaxError('unbalanced ( ) or " in a query');
  parts.push(current);
  return parts;
}

/** The `)` that closes the `(` at `open`. */
function closingParen(text: string, open: number): number {
  const close = scanUnquoted(text, open, (at, depth) => depth === 0 && text.charAt(at) === ')');
  if (close === -1) throw new GjsonSyntaxError('missing ) for a query');
  return close;
}

/**
 * The first index from `from` on, outside `\`-escaped characters and `"` quotes, where
 * `found(index, depth)` holds, `depth` counting the `(` open there (a `(` or `)` at the index
 * itself counted); -1 when there is none.
 */
function scanUnquoted(text: string, from: number, found: (index: number, depth: number) => boolean): number {
  let depth = 0;
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (found(i, depth)) return i;
  }
  return -1;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
