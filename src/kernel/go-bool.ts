const GO_TRUE: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE: ReadonlySet<string> = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * A boolean as Go's strconv.ParseBool reads it (config keys through koanf, query parameters such
 * as the session lists' `active`), or undefined for any other spelling.
 */
export function goBool(value: string): boolean | undefined {
  return GO_TRUE.has(value) ? true : GO_FALSE.has(value) ? false : undefined;
}
