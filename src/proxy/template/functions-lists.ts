/**
 * Sprig's list functions (list.go, numeric.go `until`/`seq`). Lists are never changed in
 * place: `append`, `prepend`, `reverse`, ... return new lists. Elements compare with
 * reflect.DeepEqual, so a Go int (a literal `1`) never equals a JSON number (float64 `1`).
 */
import { TemplateError } from './errors.js';
import { fail, fixed, type GoFunction, variadic } from './signature.js';
import {
  deepEqual,
  goKind,
  listArg,
  NIL_DEREFERENCE,
  strslice,
  strval,
  toInt64,
  truth,
} from './sprig-values.js';
import { NIL_LIST } from './values.js';

/** Longest list `until`, `untilStep` and `seq` build. */
export const MAX_LIST = 100_000;

function bounded(count: number): void {
  if (count > MAX_LIST) throw new TemplateError('limit', `template list longer than ${MAX_LIST} elements`);
}

/** sprig's untilStep. */
function untilStep(start: number, stop: number, step: number): bigint[] {
  const out: bigint[] = [];
  if (stop < start) {
    if (step >= 0) return out;
    bounded(Math.ceil((start - stop) / -step));
    for (let i = start; i > stop; i += step) out.push(BigInt(i));
    return out;
  }
  if (step <= 0) return out;
  bounded(Math.ceil((stop - start) / step));
  for (let i = start; i < stop; i += step) out.push(BigInt(i));
  return out;
}

/** sprig's seq: like the shell's, numbers joined by spaces. */
function seq(params: number[]): string {
  const [a = 0, b = 0, c = 0] = params;
  switch (params.length) {
    case 1:
      return untilStep(1, a + (a < 1 ? -1 : 1), a < 1 ? -1 : 1).join(' ');
    case 2: {
      const step = b < a ? -1 : 1;
      return untilStep(a, b + step, step).join(' ');
    }
    case 3: {
      const increment = c < a ? -1 : 1;
      if (c < a && b > 0) return '';
      return untilStep(a, c + increment, b).join(' ');
    }
    default:
      return '';
  }
}

function uniq(list: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const item of list) if (!out.some((seen) => deepEqual(item, seen))) out.push(item);
  return out;
}

function chunk(size: number, list: readonly unknown[]): unknown[][] {
  if (size <= 0) fail('runtime error: makeslice: len out of range');
  const out: unknown[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** sprig's slice: `slice $list start end`; an empty list gives nil. */
function sliceList(list: readonly unknown[], indices: unknown[]): unknown {
  if (list.length === 0) return null;
  const start = indices.length > 0 ? Number(toInt64(indices[0])) : 0;
  const end = indices.length > 1 ? Number(toInt64(indices[1])) : list.length;
  if (start < 0 || end > list.length || start > end) fail('reflect.Value.Slice: slice index out of range');
  return list.slice(start, end);
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const cannot = (what: string) => (kind: string) => `Cannot find ${what} on type ${kind}`;

/** Sprig's functions and their `must` twins, which differ only in how Go reports the error. */
function twins(name: string, fn: GoFunction): Array<readonly [string, GoFunction]> {
  return [
    [name, fn],
    [`must${name[0]!.toUpperCase()}${name.slice(1)}`, fn],
  ];
}

const list = variadic([], 'any', (...items) => items);
const push = fixed(['any', 'any'], (items, v) => [...listArg(items, (k) => `Cannot push on type ${k}`), v]);

export const LIST_FUNCTIONS: ReadonlyArray<readonly [string, GoFunction]> = [
  ['list', list],
  ['tuple', list],
  ...twins(
    'first',
    fixed(['any'], (items) => listArg(items, cannot('first'))[0] ?? null),
  ),
  ...twins(
    'last',
    fixed(['any'], (items) => listArg(items, cannot('last')).at(-1) ?? null),
  ),
  ...twins(
    'rest',
    fixed(['any'], (items) => {
      const l = listArg(items, cannot('rest'));
      return l.length === 0 ? NIL_LIST : l.slice(1);
    }),
  ),
  ...twins(
    'initial',
    fixed(['any'], (items) => {
      const l = listArg(items, cannot('initial'));
      return l.length === 0 ? NIL_LIST : l.slice(0, -1);
    }),
  ),
  ...twins('append', push),
  ...twins('push', push),
  ...twins(
    'prepend',
    fixed(['any', 'any'], (items, v) => [v, ...listArg(items, (k) => `Cannot prepend on type ${k}`)]),
  ),
  ...twins(
    'uniq',
    fixed(['any'], (items) => uniq(listArg(items, cannot('uniq')))),
  ),
  ...twins(
    'without',
    variadic(['any'], 'any', (items, ...omit) =>
      listArg(items, cannot('without')).filter((item) => !omit.some((o) => deepEqual(item, o))),
    ),
  ),
  ...twins(
    'has',
    fixed(['any', 'any'], (needle, haystack) => {
      if (haystack === null) return false;
      return listArg(haystack, cannot('has')).some((item) => deepEqual(needle, item));
    }),
  ),
  ...twins(
    'compact',
    fixed(['any'], (items) => listArg(items, (k) => `Cannot compact on type ${k}`).filter(truth)),
  ),
  ...twins(
    'reverse',
    fixed(['any'], (items) => [...listArg(items, cannot('reverse'))].reverse()),
  ),
  ...twins(
    'slice',
    variadic(['any'], 'any', (items, ...indices) =>
      sliceList(
        listArg(items, (k) => `list should be type of slice or array but ${k}`),
        indices,
      ),
    ),
  ),
  ...twins(
    'chunk',
    fixed(['int', 'any'], (size, items) =>
      chunk(
        size,
        listArg(items, (k) => `Cannot chunk type ${k}`),
      ),
    ),
  ),
  [
    'concat',
    variadic([], 'any', (...lists) => {
      const out: unknown[] = [];
      for (const l of lists) {
        if (l === null) fail(NIL_DEREFERENCE);
        if (!Array.isArray(l)) fail(`Cannot concat type ${goKind(l)} as list`);
        out.push(...l);
      }
      return out.length === 0 ? NIL_LIST : out;
    }),
  ],
  [
    'sortAlpha',
    fixed(['any'], (items) => (Array.isArray(items) ? strslice(items).sort(byteOrder) : [strval(items)])),
  ],
  ['until', fixed(['int'], (count) => untilStep(0, count, count < 0 ? -1 : 1))],
  ['untilStep', fixed(['int', 'int', 'int'], untilStep)],
  ['seq', variadic([], 'int', (...params) => seq(params))],
];
