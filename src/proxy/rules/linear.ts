import { setFlagsFromString } from 'node:v8';

let state: boolean | undefined;

// A variable, not a literal: TypeScript does not know V8's experimental flag.
const LINEAR: string = 'l';

/**
 * Turns on V8's linear-time regexp engine (the `l` flag), once per process, and reports
 * whether it is available. Patterns that the engine accepts run in time linear in the URL
 * length whatever the pattern, so an attacker's URL cannot make them backtrack. The flag only
 * adds the `l` flag; other regexps in the process are unaffected.
 */
export function linearRegexpAvailable(): boolean {
  if (state === undefined) {
    try {
      setFlagsFromString('--enable-experimental-regexp-engine');
      new RegExp('a', LINEAR);
      state = true;
    } catch {
      state = false;
    }
  }
  return state;
}

/** The pattern compiled for the linear engine, or undefined when that engine cannot run it. */
export function compileLinear(source: string): RegExp | undefined {
  if (!linearRegexpAvailable()) return undefined;
  try {
    return new RegExp(source, LINEAR);
  } catch {
    return undefined;
  }
}
