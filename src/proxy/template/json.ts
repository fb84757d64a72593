/** Go's encoding/json for template values: `toJson`, `toRawJson`, `toPrettyJson`, `fromJson`. */
import { TemplateError } from './errors.js';
import { formatFloat } from './format.js';
import { isPlainObject, MISSING, NIL_LIST, NIL_MAP, TemplateObject } from './values.js';

const MAX_JSON_DEPTH = 64;

const HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
};

export interface JsonOptions {
  /** Escape `<`, `>`, `&` (json.Marshal does; an Encoder with SetEscapeHTML(false) does not). */
  readonly escapeHtml: boolean;
  /** json.MarshalIndent's indent; undefined for the compact form. */
  readonly indent?: string | undefined;
}

function encodeString(s: string, escapeHtml: boolean): string {
  // U+2028 and U+2029 are escaped unconditionally, as Go does.
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => {
    if (c === '\u2028') return '\\u2028';
    if (c === '\u2029') return '\\u2029';
    return escapeHtml ? (HTML_ESCAPES[c] ?? c) : c;
  });
}

/**
 * Go's json.Marshal (map keys sorted, `<>&` escaped) or MarshalIndent. Throws
 * TemplateError('exec') for NaN and infinities (Go's UnsupportedValueError) and for values
 * nested deeper than 64 levels.
 */
export function goJson(value: unknown, options: JsonOptions = { escapeHtml: true }, depth = 0): string {
  if (depth > MAX_JSON_DEPTH) throw new TemplateError('exec', 'json: value nested too deeply');
  if (value === MISSING || value === null || value === undefined) return 'null';
  if (value === NIL_LIST || value === NIL_MAP) return 'null';
  switch (typeof value) {
    case 'string':
      return encodeString(value, options.escapeHtml);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value))
        throw new TemplateError('exec', `json: unsupported value: ${formatFloat(value)}`);
      return JSON.stringify(value);
  }
  if (value instanceof TemplateObject) return goJson(value.toJsonValue(), options, depth + 1);
  const { indent } = options;
  const newline = indent === undefined ? '' : `\n${indent.repeat(depth + 1)}`;
  const close = indent === undefined ? '' : `\n${indent.repeat(depth)}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => newline + goJson(v, options, depth + 1));
    return `[${items.join(',')}${close}]`;
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return '{}';
    const colon = indent === undefined ? ':' : ': ';
    const items = keys.map(
      (k) =>
        `${newline}${encodeString(k, options.escapeHtml)}${colon}${goJson(value[k], options, depth + 1)}`,
    );
    return `{${items.join(',')}${close}}`;
  }
  return 'null';
}

const MAX_PARSE_DEPTH = 10_000;

/** Go's json.Unmarshal into `interface{}`: objects, arrays, float64 numbers; undefined when invalid. */
export function parseGoJson(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return depthOf(parsed, 0) > MAX_PARSE_DEPTH ? undefined : parsed;
}

function depthOf(value: unknown, depth: number): number {
  if (depth > MAX_PARSE_DEPTH) return depth;
  let max = depth;
  if (Array.isArray(value)) for (const v of value) max = Math.max(max, depthOf(v, depth + 1));
  else if (isPlainObject(value))
    for (const v of Object.values(value)) max = Math.max(max, depthOf(v, depth + 1));
  return max;
}
