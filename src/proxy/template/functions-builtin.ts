/**
 * Go text/template's builtins, with Oathkeeper's `print` and `printIndex` (x/template.go).
 * `and` / `or` short-circuit, so the executor evaluates them; they are listed so templates
 * using them compile.
 */
import { formatValue, sprint, sprintf } from './format.js';
import { fail, fixed, type GoFunction, variadic } from './signature.js';
import { truth } from './sprig-values.js';
import { isPlainObject, MISSING, TemplateObject } from './values.js';

function toIndex(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return fail(`cannot index slice/array with type ${typeof value === 'number' ? 'float64' : typeof value}`);
}

/** Go's `index`: arrays by integer, maps by string key; a missing map key is the zero value. */
function indexOne(item: unknown, key: unknown): unknown {
  if (Array.isArray(item)) {
    const i = toIndex(key);
    if (i < 0 || i >= item.length) fail(`index out of range: ${i}`);
    return item[i];
  }
  if (typeof item === 'string') {
    const bytes = Buffer.from(item, 'utf8');
    const i = toIndex(key);
    if (i < 0 || i >= bytes.length) fail(`index out of range: ${i}`);
    return BigInt(bytes[i]!);
  }
  if (item instanceof TemplateObject && item.entries() !== undefined) {
    if (typeof key !== 'string') fail('value has type int; should be string');
    const found = item.field(key);
    return found === MISSING ? null : found;
  }
  if (isPlainObject(item)) {
    if (typeof key !== 'string') fail('value has type int; should be string');
    return Object.hasOwn(item, key) ? (item[key] ?? null) : null;
  }
  if (item === null || item === undefined) fail('index of untyped nil');
  return fail(`can't index item of type ${typeof item}`);
}

function length(value: unknown): bigint {
  if (typeof value === 'string') return BigInt(Buffer.byteLength(value, 'utf8'));
  if (Array.isArray(value)) return BigInt(value.length);
  if (value instanceof TemplateObject) {
    const entries = value.entries();
    if (entries !== undefined) return BigInt(entries.length);
  }
  if (isPlainObject(value)) return BigInt(Object.keys(value).length);
  if (value === null || value === undefined) fail('len of nil pointer');
  return fail(`len of type ${typeof value}`);
}

function comparable(a: unknown): 'number' | 'string' | 'bool' | 'nil' | 'other' {
  if (typeof a === 'number' || typeof a === 'bigint') return 'number';
  if (typeof a === 'string') return 'string';
  if (typeof a === 'boolean') return 'bool';
  if (a === null || a === undefined) return 'nil';
  return 'other';
}

function equal(a: unknown, b: unknown): boolean {
  const ka = comparable(a);
  const kb = comparable(b);
  if (ka === 'other' || kb === 'other') fail('non-comparable type');
  if (ka !== kb) {
    if (ka === 'nil' || kb === 'nil') return false;
    fail('incompatible types for comparison');
  }
  // biome-ignore lint/suspicious/noDoubleEquals: bigint and number compare by value on purpose.
  return ka === 'number' ? (a as number) == (b as number) : a === b;
}

function compare(a: unknown, b: unknown): number {
  const ka = comparable(a);
  const kb = comparable(b);
  if (ka !== kb || (ka !== 'number' && ka !== 'string')) fail('incompatible types for comparison');
  const x = a as number | string;
  const y = b as number | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Go's evalArgs for urlquery/html/js: one string as it is, else fmt.Sprint with nil as `<no value>`. */
function evalArgs(args: readonly unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const HTML_ESCAPES: Record<string, string> = {
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\0': '\uFFFD',
};

const JS_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '=': '\\u003D',
};

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's template.JSEscapeString. */
function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const simple = JS_ESCAPES[ch];
    if (simple !== undefined) out += simple;
    else if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp < 0x80 || PRINTABLE.test(ch)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

export const BUILTIN_FUNCTIONS: ReadonlyArray<readonly [string, GoFunction]> = [
  // Oathkeeper's override: one operand, nil prints as "".
  ['print', fixed(['any'], (value) => (value === null ? '' : formatValue(value)))],
  [
    'printIndex',
    fixed(['any', 'int'], (element, i) => {
      if (!Array.isArray(element)) return '';
      if (i >= element.length) return '';
      if (i < 0) fail('reflect: slice index out of range');
      return formatValue(element[i]);
    }),
  ],
  ['println', variadic([], 'any', (...args) => `${args.map(formatValue).join(' ')}\n`)],
  ['printf', variadic(['string'], 'any', (format, ...args) => sprintf(format, args))],
  ['urlquery', variadic([], 'any', (...args) => queryEscape(evalArgs(args)))],
  [
    'html',
    variadic([], 'any', (...args) => evalArgs(args).replace(/["'&<>\0]/g, (c) => HTML_ESCAPES[c] ?? c)),
  ],
  ['js', variadic([], 'any', (...args) => jsEscape(evalArgs(args)))],
  [
    'index',
    variadic(['any'], 'any', (item, ...keys) => {
      let value = item;
      for (const key of keys) value = indexOne(value, key);
      return value;
    }),
  ],
  ['len', fixed(['any'], length)],
  [
    'eq',
    variadic(['any'], 'any', (a, ...rest) => {
      if (rest.length === 0) fail('missing argument for comparison');
      return rest.some((b) => equal(a, b));
    }),
  ],
  ['ne', fixed(['any', 'any'], (a, b) => !equal(a, b))],
  ['lt', fixed(['any', 'any'], (a, b) => compare(a, b) < 0)],
  ['le', fixed(['any', 'any'], (a, b) => compare(a, b) <= 0)],
  ['gt', fixed(['any', 'any'], (a, b) => compare(a, b) > 0)],
  ['ge', fixed(['any', 'any'], (a, b) => compare(a, b) >= 0)],
  ['not', fixed(['any'], (a) => !truth(a))],
  ['and', variadic(['any'], 'any', () => fail('and is evaluated by the executor'))],
  ['or', variadic(['any'], 'any', () => fail('or is evaluated by the executor'))],
];
