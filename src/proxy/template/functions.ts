/**
 * The function table: Go's builtins with Oathkeeper's `print` / `printIndex`, and the sprig v3
 * functions header, cookie, id_token and hydrator templates use (docs/proxy-templates.md lists
 * them). Sprig functions that read the environment (`env`, `expandenv`), the network, keys or
 * randomness other than `uuidv4` are deliberately absent: a template naming them fails to
 * compile, so the rule is rejected when it loads.
 */
import { BUILTIN_FUNCTIONS } from './functions-builtin.js';
import { DEFAULT_FUNCTIONS } from './functions-defaults.js';
import { DICT_FUNCTIONS } from './functions-dicts.js';
import { ENCODING_FUNCTIONS } from './functions-encoding.js';
import { LIST_FUNCTIONS } from './functions-lists.js';
import { NUMBER_FUNCTIONS } from './functions-numbers.js';
import { PATH_FUNCTIONS } from './functions-paths.js';
import { REGEX_FUNCTIONS } from './functions-regex.js';
import { STRING_FUNCTIONS } from './functions-strings.js';
import type { GoFunction } from './signature.js';

export type { GoFunction } from './signature.js';
export { truth } from './sprig-values.js';

export const FUNCTIONS: ReadonlyMap<string, GoFunction> = new Map<string, GoFunction>([
  // Sprig's functions replace Go's builtins of the same name (`slice`), as template.Funcs does.
  ...BUILTIN_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...LIST_FUNCTIONS,
  ...DICT_FUNCTIONS,
  ...DEFAULT_FUNCTIONS,
  ...ENCODING_FUNCTIONS,
  ...NUMBER_FUNCTIONS,
  ...REGEX_FUNCTIONS,
  ...PATH_FUNCTIONS,
]);
