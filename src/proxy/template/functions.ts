import { TemplateError } from './errors.js';
import { formatValue, goJson, goQuote, sprint, sprintf } from './format.js';
import { isPlainObject, MISSING, TemplateObject } from './values.js';

/** A template function. Arguments arrive with MISSING already turned into null (Go's nil). */
export type TemplateFunction = (args: unknown[]) => unknown;

function fail(message: string): never {
  throw new TemplateError('exec', message);
}

function arity(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    fail(`wrong number of args for ${name}: want ${min === max ? min : `${min}-${max}`} got ${args.length}`);
  }
}

/** A `string` parameter: nil becomes "" (Go's zero value); other types are an error. */
function str(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return fail(`wrong type for value in ${name}; expected string; got ${typeof value}`);
}

/** Go's `truth`: false, 0, nil and empty strings, slices and maps are false. */
export function truth(value: unknown): boolean {
  if (value === MISSING || value === null || value === undefined) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'string':
      return value.length > 0;
    case 'number':
      return value !== 0;
    case 'bigint':
      return value !== 0n;
  }
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof TemplateObject) return (value.entries()?.length ?? 1) > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

function toIndex(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return fail(`cannot index slice/array with type ${typeof value}`);
}

/** Go's `index`: arrays by integer, maps by string key; a missing map key is nil. */
function indexOne(item: unknown, key: unknown): unknown {
  if (Array.isArray(item)) {
    const i = toIndex(key);
    if (i < 0 || i >= item.length) fail(`error calling index: index out of range: ${i}`);
    return item[i];
  }
  if (typeof item === 'string') {
    const bytes = Buffer.from(item, 'utf8');
    const i = toIndex(key);
    if (i < 0 || i >= bytes.length) fail(`error calling index: index out of range: ${i}`);
    return BigInt(bytes[i]!);
  }
  if (item instanceof TemplateObject && item.entries() !== undefined) {
    if (typeof key !== 'string') fail('error calling index: map key must be a string');
    const found = item.field(key);
    return found === MISSING ? null : found;
  }
  if (isPlainObject(item)) {
    if (typeof key !== 'string') fail('error calling index: map key must be a string');
    return Object.hasOwn(item, key) ? item[key] : null;
  }
  if (item === null || item === undefined) fail('error calling index: index of untyped nil');
  return fail(`error calling index: can't index item of type ${typeof item}`);
}

function length(value: unknown): bigint {
  if (typeof value === 'string') return BigInt(Buffer.byteLength(value, 'utf8'));
  if (Array.isArray(value)) return BigInt(value.length);
  if (value instanceof TemplateObject) {
    const entries = value.entries();
    if (entries !== undefined) return BigInt(entries.length);
  }
  if (isPlainObject(value)) return BigInt(Object.keys(value).length);
  if (value === null || value === undefined) fail('error calling len: len of nil pointer');
  return fail(`error calling len: len of type ${typeof value}`);
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
  if (ka === 'other' || kb === 'other') fail('error calling eq: non-comparable type');
  if (ka !== kb) {
    if (ka === 'nil' || kb === 'nil') return false;
    fail('error calling eq: incompatible types for comparison');
  }
  // biome-ignore lint/suspicious/noDoubleEquals: bigint and number compare by value on purpose.
  return ka === 'number' ? (a as number) == (b as number) : a === b;
}

function compare(name: string, a: unknown, b: unknown): number {
  const ka = comparable(a);
  const kb = comparable(b);
  if (ka !== kb || (ka !== 'number' && ka !== 'string'))
    fail(`error calling ${name}: incompatible types for comparison`);
  const x = a as number | string;
  const y = b as number | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Sprig's `empty`: nil, false, 0, "" and empty collections. */
function empty(value: unknown): boolean {
  return !truth(value);
}

/** Sprig's strval. */
function strval(value: unknown): string {
  return typeof value === 'string' ? value : formatValue(value);
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function b64dec(s: string): string {
  const clean = s;
  const bad = /[^A-Za-z0-9+/=]/.exec(clean);
  if (bad !== null) return `illegal base64 data at input byte ${bad.index}`;
  if (clean.length % 4 !== 0 || /=[^=]/.test(clean))
    return `illegal base64 data at input byte ${clean.length}`;
  return Buffer.from(clean, 'base64').toString('utf8');
}

/**
 * The function table. `and` / `or` are evaluated by the executor (they short-circuit), the
 * names are listed here so the parser accepts them.
 */
export const FUNCTIONS: ReadonlyMap<string, TemplateFunction> = new Map<string, TemplateFunction>([
  ['print', (args) => sprint(args)],
  ['println', (args) => `${args.map(formatValue).join(' ')}\n`],
  [
    'printf',
    (args) => {
      if (args.length < 1) fail('wrong number of args for printf: want at least 1 got 0');
      return sprintf(str('printf', args[0]), args.slice(1));
    },
  ],
  [
    'printIndex',
    (args) => {
      arity('printIndex', args, 2);
      const [list, i] = args;
      if (!Array.isArray(list)) return '';
      const n = toIndex(i);
      return n >= 0 && n < list.length ? formatValue(list[n]) : '';
    },
  ],
  [
    'index',
    (args) => {
      if (args.length < 1) fail('wrong number of args for index: want at least 1 got 0');
      let item = args[0];
      for (const key of args.slice(1)) item = indexOne(item, key);
      return item;
    },
  ],
  [
    'len',
    (args) => {
      arity('len', args, 1);
      return length(args[0]);
    },
  ],
  [
    'eq',
    (args) => {
      if (args.length < 2) fail('wrong number of args for eq: want at least 2');
      return args.slice(1).some((b) => equal(args[0], b));
    },
  ],
  [
    'ne',
    (args) => {
      arity('ne', args, 2);
      return !equal(args[0], args[1]);
    },
  ],
  [
    'lt',
    (args) => {
      arity('lt', args, 2);
      return compare('lt', args[0], args[1]) < 0;
    },
  ],
  [
    'le',
    (args) => {
      arity('le', args, 2);
      return compare('le', args[0], args[1]) <= 0;
    },
  ],
  [
    'gt',
    (args) => {
      arity('gt', args, 2);
      return compare('gt', args[0], args[1]) > 0;
    },
  ],
  [
    'ge',
    (args) => {
      arity('ge', args, 2);
      return compare('ge', args[0], args[1]) >= 0;
    },
  ],
  [
    'not',
    (args) => {
      arity('not', args, 1);
      return !truth(args[0]);
    },
  ],
  ['and', () => fail('and is evaluated by the executor')],
  ['or', () => fail('or is evaluated by the executor')],
  [
    'toJson',
    (args) => {
      arity('toJson', args, 1);
      return goJson(args[0]);
    },
  ],
  [
    'default',
    (args) => {
      arity('default', args, 1, 2);
      return args.length < 2 || empty(args[1]) ? args[0] : args[1];
    },
  ],
  ['urlquery', (args) => queryEscape(sprint(args))],
  [
    'b64enc',
    (args) => {
      arity('b64enc', args, 1);
      return Buffer.from(strval(args[0]), 'utf8').toString('base64');
    },
  ],
  [
    'b64dec',
    (args) => {
      arity('b64dec', args, 1);
      return b64dec(strval(args[0]));
    },
  ],
  [
    'upper',
    (args) => {
      arity('upper', args, 1);
      return str('upper', args[0]).toUpperCase();
    },
  ],
  [
    'lower',
    (args) => {
      arity('lower', args, 1);
      return str('lower', args[0]).toLowerCase();
    },
  ],
  [
    'quote',
    (args) =>
      args
        .filter((a) => a !== null && a !== undefined)
        .map((a) => goQuote(strval(a)))
        .join(' '),
  ],
  [
    'join',
    (args) => {
      arity('join', args, 2);
      const sep = str('join', args[0]);
      const list = args[1];
      if (list === null || list === undefined) return '';
      if (!Array.isArray(list)) return strval(list);
      return list
        .filter((a) => a !== null && a !== undefined)
        .map(strval)
        .join(sep);
    },
  ],
]);
