/**
 * Sprig's dict functions (dict.go). Keys are listed in sorted order where Go's map order is
 * random (`keys`, `values`).
 *
 * `set` and `unset` change a dict the template built (`dict`, `pick`, `omit`, `fromJson`, ...)
 * in place, as sprig does, so `{{ $_ := set $d "k" "v" }}` works. A dict from the request data
 * (`.Extra`, ...) is never changed: they return a changed copy instead. In Oathkeeper they would
 * change the session for the mutators that follow (and, through a cache, for other requests).
 */
import { fail, fixed, type GoFunction, type GoMap, variadic } from './signature.js';
import { strval } from './sprig-values.js';
import { isPlainObject, NIL_MAP } from './values.js';

const owned = new WeakSet<object>();

/** A new dict (no prototype, so any key is an own key) that `set` may change. */
export function newDict(): GoMap {
  const dict = Object.create(null) as GoMap;
  owned.add(dict);
  return dict;
}

/** Marks the objects of freshly built data (a `fromJson` result) as the template's own. */
export function adopt(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (const item of value) adopt(item);
  } else if (typeof value === 'object' && value !== null) {
    owned.add(value);
    for (const item of Object.values(value)) adopt(item);
  }
  return value;
}

function put(dict: GoMap, key: string, value: unknown): void {
  Object.defineProperty(dict, key, { value, writable: true, enumerable: true, configurable: true });
}

function writable(dict: GoMap): GoMap {
  if (dict === NIL_MAP) return fail('assignment to entry in nil map');
  if (owned.has(dict)) return dict;
  const copy = newDict();
  for (const key of Object.keys(dict)) put(copy, key, dict[key]);
  return copy;
}

function get(dict: GoMap, key: string): unknown {
  return Object.hasOwn(dict, key) ? (dict[key] ?? null) : undefined;
}

function sortedKeys(dict: GoMap): string[] {
  return Object.keys(dict).sort();
}

/** sprig's dig: `dig "a" "b" "default" $dict`. */
function dig(args: unknown[]): unknown {
  if (args.length < 3) fail('dig needs at least three arguments');
  const keys = args.slice(0, -2);
  const fallback = args.at(-2);
  let dict = asMap(args.at(-1));
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (typeof key !== 'string') fail(`interface conversion: interface {} is ${typeLabel(key)}, not string`);
    const step = get(dict, key);
    if (step === undefined) return fallback;
    if (i === keys.length - 1) return step;
    dict = asMap(step);
  }
  return fallback;
}

function asMap(value: unknown): GoMap {
  if (isPlainObject(value)) return value;
  return fail(`interface conversion: interface {} is ${typeLabel(value)}, not map[string]interface {}`);
}

function typeLabel(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

export const DICT_FUNCTIONS: ReadonlyArray<readonly [string, GoFunction]> = [
  [
    'dict',
    variadic([], 'any', (...args) => {
      const dict = newDict();
      for (let i = 0; i < args.length; i += 2)
        put(dict, strval(args[i]), i + 1 < args.length ? args[i + 1] : '');
      return dict;
    }),
  ],
  ['get', fixed(['map', 'string'], (dict, key) => get(dict, key) ?? '')],
  [
    'set',
    fixed(['map', 'string', 'any'], (dict, key, value) => {
      const target = writable(dict);
      put(target, key, value);
      return target;
    }),
  ],
  [
    'unset',
    fixed(['map', 'string'], (dict, key) => {
      if (dict === NIL_MAP) return dict;
      const target = writable(dict);
      delete target[key];
      return target;
    }),
  ],
  ['hasKey', fixed(['map', 'string'], (dict, key) => Object.hasOwn(dict, key))],
  ['keys', variadic([], 'map', (...dicts) => dicts.flatMap(sortedKeys))],
  ['values', fixed(['map'], (dict) => sortedKeys(dict).map((k) => dict[k] ?? null))],
  [
    'pick',
    variadic(['map'], 'string', (dict, ...keys) => {
      const out = newDict();
      for (const key of keys) if (Object.hasOwn(dict, key)) put(out, key, dict[key]);
      return out;
    }),
  ],
  [
    'omit',
    variadic(['map'], 'string', (dict, ...keys) => {
      const out = newDict();
      for (const key of Object.keys(dict)) if (!keys.includes(key)) put(out, key, dict[key]);
      return out;
    }),
  ],
  [
    'pluck',
    variadic(['string'], 'map', (key, ...dicts) =>
      dicts.filter((d) => Object.hasOwn(d, key)).map((d) => d[key] ?? null),
    ),
  ],
  ['dig', variadic([], 'any', (...args) => dig(args))],
];
