/**
 * The few Go formatting verbs Kratos's message texts and contexts use, so a rendered
 * `uiText` matches the bytes Kratos sends: `%q` (strconv.Quote), `%v` of a float64,
 * `%.2f`, and encoding/json's form of a `time.Time`.
 */

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const SHORT_ESCAPES: Record<string, string> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's `%q` of a string (strconv.Quote): double-quoted, printable runes kept as they are. */
export function goQuote(value: string): string {
  let out = '"';
  for (const char of value) {
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) {
      out += short;
      continue;
    }
    const code = char.codePointAt(0) ?? 0;
    // A lone surrogate cannot travel as UTF-8; Go would hold (and print) U+FFFD there.
    if (code >= 0xd800 && code <= 0xdfff) out += '\ufffd';
    else if (PRINTABLE.test(char)) out += char;
    else if (code < 0x80) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

/**
 * Go's `%v` of a float64: the shortest digits that round-trip, in exponent form when the
 * exponent is below -4 or at least 6 (so 1000000 prints as `1e+06`).
 */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // toExponential() without an argument gives the shortest round-tripping digits.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  // In this range the plain decimal form JavaScript prints has the same digits.
  return String(value);
}

/** Go's `%.2f`. */
export function goFixed2(value: number): string {
  return value.toFixed(2);
}

/** A `time.Time` as encoding/json writes it (RFC 3339 with nanoseconds, trailing zeros cut), in UTC. */
export function goTime(value: Date): string {
  const iso = value.toISOString();
  // toISOString always has milliseconds; Go drops a zero fraction and trailing zeros.
  return iso.replace(/\.(\d*?)0*Z$/, (_match, digits: string) => (digits === '' ? 'Z' : `.${digits}Z`));
}

/** A `time.Time`'s `Unix()`: whole seconds, rounded toward negative infinity. */
export function goUnix(value: Date): number {
  return Math.floor(value.getTime() / 1000);
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** `time.Time.String()` of a UTC time: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goTimeString(value: Date): string {
  const [date = '', time = ''] = goTime(value).replace(/Z$/, '').split('T');
  return `${date} ${time} +0000 UTC`;
}

/**
 * Go's `%v` of a value decoded from JSON (numbers are float64, objects are maps printed with
 * sorted keys, arrays are slices).
 */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'number') return goFloat(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (value instanceof Date) return goTimeString(value);
  if (typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, item]) => `${key}:${goValue(item)}`).join(' ')}]`;
  }
  return String(value);
}
