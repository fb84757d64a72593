/**
 * Sprig's conversions and integer math. Operands go through spf13/cast as sprig does (a
 * string is parsed with Go's prefixes, a float truncated, anything unconvertible is 0); results
 * are Go int64 (wrapping on overflow) or float64.
 */
import { formatValue } from './format.js';
import { parseInt64, wrapInt64 } from './go-strconv.js';
import { fail, fixed, type GoFunction, variadic } from './signature.js';
import { toFloat64, toInt64 } from './sprig-values.js';

function divide(a: unknown, b: unknown, op: (x: bigint, y: bigint) => bigint): bigint {
  const divisor = toInt64(b);
  if (divisor === 0n) fail('runtime error: integer divide by zero');
  return wrapInt64(op(toInt64(a), divisor));
}

/** sprig's round: `round 3.14159 2` is 3.14; `round x 0 0.3` rounds up from .3. */
function round(value: unknown, places: number, roundOn: number): number {
  const pow = 10 ** places;
  const digit = pow * toFloat64(value);
  const fraction = digit - Math.trunc(digit);
  return (fraction >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

function atoi(s: string): bigint {
  const parsed = parseInt64(s, 10);
  return parsed.ok || parsed.range ? parsed.value : 0n;
}

const toInt = fixed(['any'], toInt64);

/** sprig's max (sign 1) and min (sign -1) over int64 operands. */
function extreme(first: unknown, rest: unknown[], sign: 1 | -1): bigint {
  let best = toInt64(first);
  for (const value of rest) {
    const n = toInt64(value);
    if ((n - best) * BigInt(sign) > 0n) best = n;
  }
  return best;
}

export const NUMBER_FUNCTIONS: ReadonlyArray<readonly [string, GoFunction]> = [
  ['atoi', fixed(['string'], atoi)],
  ['int', toInt],
  ['int64', toInt],
  ['float64', fixed(['any'], toFloat64)],
  [
    'toDecimal',
    fixed(['any'], (value) => {
      // strconv.ParseInt(fmt.Sprint(v), 8, 64), 0 on error.
      const text = formatValue(value);
      if (!/^[+-]?[0-7]+$/.test(text)) return 0n;
      const parsed = parseInt64(text.replace(/^([+-]?)/, '$10o'), 0);
      return parsed.ok ? parsed.value : 0n;
    }),
  ],
  [
    'add',
    variadic([], 'any', (...values) => values.reduce<bigint>((sum, v) => wrapInt64(sum + toInt64(v)), 0n)),
  ],
  ['add1', fixed(['any'], (value) => wrapInt64(toInt64(value) + 1n))],
  ['sub', fixed(['any', 'any'], (a, b) => wrapInt64(toInt64(a) - toInt64(b)))],
  [
    'mul',
    variadic(['any'], 'any', (first, ...rest) =>
      rest.reduce<bigint>((product, v) => wrapInt64(product * toInt64(v)), toInt64(first)),
    ),
  ],
  ['div', fixed(['any', 'any'], (a, b) => divide(a, b, (x, y) => x / y))],
  ['mod', fixed(['any', 'any'], (a, b) => divide(a, b, (x, y) => x % y))],
  ['max', variadic(['any'], 'any', (first, ...rest) => extreme(first, rest, 1))],
  ['biggest', variadic(['any'], 'any', (first, ...rest) => extreme(first, rest, 1))],
  ['min', variadic(['any'], 'any', (first, ...rest) => extreme(first, rest, -1))],
  ['maxf', variadic(['any'], 'any', (first, ...rest) => Math.max(toFloat64(first), ...rest.map(toFloat64)))],
  ['minf', variadic(['any'], 'any', (first, ...rest) => Math.min(toFloat64(first), ...rest.map(toFloat64)))],
  ['floor', fixed(['any'], (value) => Math.floor(toFloat64(value)))],
  ['ceil', fixed(['any'], (value) => Math.ceil(toFloat64(value)))],
  [
    'round',
    variadic(['any', 'int'], 'float64', (value, places, ...options) =>
      round(value, places, options[0] ?? 0.5),
    ),
  ],
];
