/** Sprig's defaults.go (`default`, `empty`, `coalesce`, `ternary`, JSON) and `fail`. */
import { TemplateError } from './errors.js';
import { adopt } from './functions-dicts.js';
import { goJson, type JsonOptions, parseGoJson } from './json.js';
import { fail, fixed, type GoFunction, variadic } from './signature.js';
import { truth } from './sprig-values.js';

const COMPACT: JsonOptions = { escapeHtml: true };
const RAW: JsonOptions = { escapeHtml: false };
const PRETTY: JsonOptions = { escapeHtml: true, indent: '  ' };

/** sprig's toJson family drops the error and gives ""; the `must` variants fail. */
function lenient(options: JsonOptions): GoFunction {
  return fixed(['any'], (value) => {
    try {
      return goJson(value, options);
    } catch (error) {
      if (error instanceof TemplateError && error.code === 'exec') return '';
      throw error;
    }
  });
}

function strict(options: JsonOptions): GoFunction {
  return fixed(['any'], (value) => goJson(value, options));
}

export const DEFAULT_FUNCTIONS: ReadonlyArray<readonly [string, GoFunction]> = [
  [
    'default',
    variadic(['any'], 'any', (fallback, ...given) =>
      given.length === 0 || !truth(given[0]) ? fallback : given[0],
    ),
  ],
  ['empty', fixed(['any'], (value) => !truth(value))],
  ['coalesce', variadic([], 'any', (...values) => values.find(truth) ?? null)],
  ['all', variadic([], 'any', (...values) => values.every(truth))],
  ['any', variadic([], 'any', (...values) => values.some(truth))],
  ['ternary', fixed(['any', 'any', 'bool'], (yes, no, condition) => (condition ? yes : no))],
  ['toJson', lenient(COMPACT)],
  ['mustToJson', strict(COMPACT)],
  ['toRawJson', lenient(RAW)],
  ['mustToRawJson', strict(RAW)],
  ['toPrettyJson', lenient(PRETTY)],
  ['mustToPrettyJson', strict(PRETTY)],
  ['fromJson', fixed(['string'], (text) => adopt(parseGoJson(text) ?? null))],
  [
    'mustFromJson',
    fixed(['string'], (text) => {
      const parsed = parseGoJson(text);
      if (parsed === undefined)
        fail(text.trim() === '' ? 'unexpected end of JSON input' : 'invalid JSON input');
      return adopt(parsed);
    }),
  ],
  ['fail', fixed(['string'], (message) => fail(message))],
];
