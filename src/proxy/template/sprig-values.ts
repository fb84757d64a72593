/**
 * Sprig's helpers over template values: strval / strslice, spf13/cast's ToInt64 and ToFloat64,
 * reflect.DeepEqual, the reflect Kind names its errors print, and `empty`.
 */
import { formatValue } from './format.js';
import { floatToInt64, parseFloat64, parseInt64 } from './go-strconv.js';
import { fail } from './signature.js';
import { isPlainObject, MISSING, TemplateObject } from './values.js';

/** Go's truth (and sprig's `!empty`): false, 0, nil and empty strings, slices and maps are false. */
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

/** Sprig's strval: strings as they are, Stringers by String(), everything else `%v`. */
export function strval(value: unknown): string {
  return typeof value === 'string' ? value : formatValue(value);
}

/** Sprig's strslice: a list's non-nil elements printed, nil an empty list, anything else `[strval]`. */
export function strslice(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(strval);
  if (value === null || value === undefined) return [];
  return [strval(value)];
}

/** cast's trimZeroDecimal: `"8.00"` reads as `"8"`. */
function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') return foundZero ? s.slice(0, i - 1) : s;
    if (c !== '0') return s;
    foundZero = true;
  }
  return s;
}

/** cast.ToInt64 with the error dropped, as sprig does: unconvertible values are 0. */
export function toInt64(value: unknown): bigint {
  switch (typeof value) {
    case 'bigint':
      return BigInt.asIntN(64, value);
    case 'number':
      return floatToInt64(value);
    case 'string': {
      const parsed = parseInt64(trimZeroDecimal(value), 0);
      return parsed.ok ? parsed.value : 0n;
    }
    case 'boolean':
      return value ? 1n : 0n;
    default:
      return 0n;
  }
}

/** cast.ToFloat64 with the error dropped. */
export function toFloat64(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return value;
    case 'bigint':
      return Number(value);
    case 'string':
      return parseFloat64(value) ?? 0;
    case 'boolean':
      return value ? 1 : 0;
    default:
      return 0;
  }
}

/** reflect.DeepEqual: a Go int never equals a float64, maps and slices compare element-wise. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === undefined) return deepEqual(null, b);
  if (b === undefined) return deepEqual(a, null);
  if (typeof a !== typeof b) return false;
  if (typeof a === 'number') return a === b;
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  if (a instanceof TemplateObject && b instanceof TemplateObject) {
    return a.constructor === b.constructor && deepEqual(a.toJsonValue(), b.toJsonValue());
  }
  return false;
}

/** The reflect.Kind name sprig's errors print (`Cannot find first on type string`). */
export function goKind(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
  }
  if (Array.isArray(value)) return 'slice';
  if (value instanceof TemplateObject) return value.entries() === undefined ? 'ptr' : 'map';
  return 'map';
}

/** `reflect.TypeOf(nil).Kind()`: what a sprig list function does with a nil list. */
export const NIL_DEREFERENCE = 'runtime error: invalid memory address or nil pointer dereference';

/**
 * The elements of a slice argument, as sprig's list functions read them; `what` names the
 * function in sprig's error for other types (`Cannot find ${what} on type map`).
 */
export function listArg(value: unknown, error: (kind: string) => string): readonly unknown[] {
  if (value === null || value === undefined) return fail(NIL_DEREFERENCE);
  if (Array.isArray(value)) return value;
  return fail(error(goKind(value)));
}
