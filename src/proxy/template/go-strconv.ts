/** Go's strconv number parsing, as sprig's conversions (spf13/cast) use it. */

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Go's underscoreOK: `_` only between digits (a base prefix counts as a digit). */
function underscoreOk(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.startsWith('+') || s.startsWith('-')) i++;
  let hex = false;
  if (s.length - i >= 2 && s[i] === '0' && /[bBoOxX]/.test(s[i + 1]!)) {
    hex = /[xX]/.test(s[i + 1]!);
    i += 2;
    saw = '0';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

export type ParsedInt = { ok: true; value: bigint } | { ok: false; range: boolean; value: bigint };

/**
 * strconv.ParseInt(s, base, 64) for base 0 (Go prefixes `0x`, `0o`, `0b`, a leading `0` for
 * octal, and `_` separators) or 10. A value out of range is clamped, with `range` set.
 */
export function parseInt64(s: string, base: 0 | 10): ParsedInt {
  const fail: ParsedInt = { ok: false, range: false, value: 0n };
  let body = s;
  let negative = false;
  if (body.startsWith('+') || body.startsWith('-')) {
    negative = body.startsWith('-');
    body = body.slice(1);
  }
  if (body === '') return fail;
  let radix = 10;
  if (base === 0) {
    if (/^0[xX]/.test(body)) {
      radix = 16;
      body = body.slice(2);
    } else if (/^0[bB]/.test(body)) {
      radix = 2;
      body = body.slice(2);
    } else if (/^0[oO]/.test(body)) {
      radix = 8;
      body = body.slice(2);
    } else if (body.length > 1 && body.startsWith('0')) {
      radix = 8;
      body = body.slice(1);
    }
    if (body.includes('_')) {
      if (!underscoreOk(s)) return fail;
      body = body.replace(/_/g, '');
    }
  }
  const digits = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[radix];
  if (digits === undefined || !digits.test(body)) return fail;
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  const magnitude = BigInt(prefix + body);
  const value = negative ? -magnitude : magnitude;
  if (value > INT64_MAX) return { ok: false, range: true, value: INT64_MAX };
  if (value < INT64_MIN) return { ok: false, range: true, value: INT64_MIN };
  return { ok: true, value };
}

/** strconv.ParseFloat(s, 64); undefined for a syntax error or a value out of range. */
export function parseFloat64(s: string): number | undefined {
  const body = s.replace(/^[+-]/, '');
  const sign = s.startsWith('-') ? -1 : 1;
  if (/^(inf|infinity)$/i.test(body)) return sign * Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(body)) return s === body ? Number.NaN : undefined;
  if (body.includes('_') && !underscoreOk(s)) return undefined;
  const clean = body.replace(/_/g, '');
  let value: number;
  const hex = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(clean);
  if (hex !== null) {
    const int = hex[1] ?? '';
    const frac = hex[2] ?? '';
    if (int === '' && frac === '') return undefined;
    const mantissa = Number.parseInt(`${int}${frac}` || '0', 16);
    value = mantissa * 2 ** (Number(hex[3]) - 4 * frac.length);
  } else {
    if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(clean)) return undefined;
    value = Number(clean);
  }
  if (!Number.isFinite(value)) return undefined;
  return sign * value;
}

/** Go's int64(f) on amd64: truncation; NaN and out-of-range give the minimum int64. */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

export function wrapInt64(n: bigint): bigint {
  return BigInt.asIntN(64, n);
}
