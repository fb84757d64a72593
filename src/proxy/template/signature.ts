/**
 * Template functions with Go signatures. Go's executor checks the argument count and converts
 * each argument to the parameter's type before the call (exec.go evalArg / validateType); the
 * executor does the same with these signatures, so a template fails where Oathkeeper's fails
 * and with the same words: `wrong number of args for upper: want 1 got 2`,
 * `wrong type for value; expected string; got float64`, `invalid value; expected string`.
 */
import { TemplateError } from './errors.js';
import { formatValue, goQuote, goTypeName } from './format.js';
import { isPlainObject, MISSING, NIL_MAP } from './values.js';

/**
 * A parameter type. `any` is `interface{}` (also the `reflect.Value` parameters of Go's
 * builtins), `int` a Go int (given to the implementation as a number), `float64` a number,
 * `map` a `map[string]interface{}` (a plain object).
 */
export type GoType = 'any' | 'string' | 'int' | 'float64' | 'bool' | 'map';

export type GoMap = Record<string, unknown>;

type TsType<T extends GoType> = T extends 'string'
  ? string
  : T extends 'int' | 'float64'
    ? number
    : T extends 'bool'
      ? boolean
      : T extends 'map'
        ? GoMap
        : unknown;

type TsArgs<P extends readonly GoType[]> = { -readonly [K in keyof P]: TsType<P[K]> };

export interface GoFunction {
  readonly params: readonly GoType[];
  /** The type of each further argument of a variadic function. */
  readonly variadic: GoType | undefined;
  /** Called with converted arguments; throws TemplateError('exec') with Go's error text. */
  readonly call: (args: unknown[]) => unknown;
}

/** A function with a fixed parameter list. */
export function fixed<const P extends readonly GoType[]>(
  params: P,
  impl: (...args: TsArgs<P>) => unknown,
): GoFunction {
  return { params, variadic: undefined, call: (args) => impl(...(args as TsArgs<P>)) };
}

/** A variadic function: `params`, then any number of `rest`. */
export function variadic<const P extends readonly GoType[], const V extends GoType>(
  params: P,
  rest: V,
  impl: (...args: [...TsArgs<P>, ...TsType<V>[]]) => unknown,
): GoFunction {
  return {
    params,
    variadic: rest,
    call: (args) => impl(...(args as [...TsArgs<P>, ...TsType<V>[]])),
  };
}

/** The error a function reports; the executor prefixes `error calling NAME: `. */
export function fail(message: string): never {
  throw new TemplateError('exec', message);
}

const GO_NAMES: Record<GoType, string> = {
  any: 'interface {}',
  string: 'string',
  int: 'int',
  float64: 'float64',
  bool: 'bool',
  map: 'map[string]interface {}',
};

/** Go's arity check (exec.go evalCall). */
export function checkArity(name: string, fn: GoFunction, count: number): void {
  const fixedCount = fn.params.length;
  if (fn.variadic !== undefined) {
    if (count < fixedCount)
      fail(`wrong number of args for ${name}: want at least ${fixedCount} got ${count}`);
  } else if (count !== fixedCount) {
    fail(`wrong number of args for ${name}: want ${fixedCount} got ${count}`);
  }
}

/** The type of the `index`-th argument. */
export function paramType(fn: GoFunction, index: number): GoType {
  return fn.params[index] ?? fn.variadic ?? 'any';
}

/**
 * Go's validateType: a computed value (field, variable, pipeline, function result) given to a
 * parameter. MISSING (Go's invalid value) becomes nil where the type can be nil; a nil
 * interface (null) only fits `interface{}`.
 */
export function coerceValue(value: unknown, type: GoType): unknown {
  if (value === MISSING) {
    if (type === 'any') return null;
    if (type === 'map') return NIL_MAP;
    return fail(`invalid value; expected ${GO_NAMES[type]}`);
  }
  if (value === null || value === undefined) {
    if (type === 'any') return null;
    return fail(`wrong type for value; expected ${GO_NAMES[type]}; got interface {}`);
  }
  switch (type) {
    case 'any':
      return value;
    case 'string':
      if (typeof value === 'string') return value;
      break;
    case 'int':
      if (typeof value === 'bigint') return Number(value);
      break;
    case 'float64':
      if (typeof value === 'number') return value;
      break;
    case 'bool':
      if (typeof value === 'boolean') return value;
      break;
    case 'map':
      if (isPlainObject(value)) return value;
      break;
  }
  return fail(`wrong type for value; expected ${GO_NAMES[type]}; got ${goTypeName(value)}`);
}

/** Go's evalArg for a constant written in the template (`"a"`, `1`, `2.5`, `true`, `nil`). */
export function coerceLiteral(value: string | bigint | number | boolean | null, type: GoType): unknown {
  if (type === 'any') return value;
  if (value === null) {
    if (type === 'map') return NIL_MAP;
    return fail(`cannot assign nil to ${GO_NAMES[type]}`);
  }
  const text = typeof value === 'string' ? goQuote(value) : formatValue(value);
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      return fail(`expected string; found ${text}`);
    case 'int':
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      return fail(`expected integer; found ${text}`);
    case 'float64':
      if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
      return fail(`expected float; found ${text}`);
    case 'bool':
      if (typeof value === 'boolean') return value;
      return fail(`expected bool; found ${text}`);
    case 'map':
      return fail(`can't handle ${text} for arg of type ${GO_NAMES.map}`);
  }
}
