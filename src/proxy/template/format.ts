import { isPlainObject, MISSING, TemplateObject } from './values.js';

/** Go's `%v` of a value (fmt.Sprint of one operand). MISSING prints as Go prints a nil interface. */
export function formatValue(value: unknown): string {
  if (value === MISSING || value === null || value === undefined) return '<nil>';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      return formatFloat(value);
  }
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (value instanceof TemplateObject) return value.format();
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((k) => `${k}:${formatValue(value[k])}`).join(' ')}]`;
  }
  return '<nil>';
}

/** Go's name for the dynamic type of a value, for `%!verb(type=value)` messages. */
export function goTypeName(value: unknown): string {
  if (value === MISSING || value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'float64';
  if (Array.isArray(value)) return '[]interface {}';
  if (value instanceof TemplateObject) return value.typeName();
  return 'map[string]interface {}';
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64) — what `%v` prints for a float64. */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa = '', expPart = '0'] = n.toExponential().split('e');
  const exp = Number(expPart);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const abs = Math.abs(exp);
    return `${mantissa}e${sign}${abs < 10 ? `0${abs}` : abs}`;
  }
  // Plain decimal with the shortest digits.
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  let out: string;
  if (exp >= 0) {
    const intLen = exp + 1;
    out =
      digits.length <= intLen
        ? digits.padEnd(intLen, '0')
        : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  } else {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return negative ? `-${out}` : out;
}

/** fmt.Sprint: operands separated by a space when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  }
  return out;
}

/** strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp === 7) out += '\\a';
    else if (cp === 8) out += '\\b';
    else if (cp === 12) out += '\\f';
    else if (cp === 11) out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029)
      out += cp >= 0xd800 && cp <= 0xdfff ? '\\ufffd' : `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const VERB = /%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g;

/** fmt.Sprintf for the verbs templates use: %s %d %v %q %t %x %X %f %%, width, precision and `-`. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let argIndex = 0;
  let out = format.replace(
    VERB,
    (_m, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      if (argIndex >= args.length) return `%!${verb}(MISSING)`;
      const arg = args[argIndex++];
      const body = formatVerb(verb, arg, prec === undefined ? undefined : Number(prec));
      const w = width === undefined ? 0 : Number(width);
      if (body.length >= w) return body;
      if (flags.includes('-')) return body.padEnd(w, ' ');
      return flags.includes('0') && /[dfxX]/.test(verb) ? body.padStart(w, '0') : body.padStart(w, ' ');
    },
  );
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((a) => `${goTypeName(a)}=${formatValue(a)}`);
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

function formatVerb(verb: string, arg: unknown, prec: number | undefined): string {
  switch (verb) {
    case 'v':
      return formatValue(arg);
    case 's': {
      const s = formatValue(arg);
      return prec === undefined ? s : [...s].slice(0, prec).join('');
    }
    case 'q':
      return typeof arg === 'string' ? goQuote(arg) : goQuote(formatValue(arg));
    case 't':
      return typeof arg === 'boolean' ? String(arg) : bad(verb, arg);
    case 'd':
      if (typeof arg === 'bigint') return arg.toString();
      if (typeof arg === 'number' && Number.isInteger(arg)) return BigInt(arg).toString();
      return bad(verb, arg);
    case 'f':
      if (typeof arg === 'number' || typeof arg === 'bigint') return Number(arg).toFixed(prec ?? 6);
      return bad(verb, arg);
    case 'x':
    case 'X': {
      let hex: string;
      if (typeof arg === 'string') hex = Buffer.from(arg, 'utf8').toString('hex');
      else if (typeof arg === 'bigint') hex = arg.toString(16);
      else if (typeof arg === 'number' && Number.isInteger(arg)) hex = BigInt(arg).toString(16);
      else return bad(verb, arg);
      return verb === 'X' ? hex.toUpperCase() : hex;
    }
    default:
      return bad(verb, arg);
  }
}

function bad(verb: string, arg: unknown): string {
  return `%!${verb}(${goTypeName(arg)}=${formatValue(arg)})`;
}
