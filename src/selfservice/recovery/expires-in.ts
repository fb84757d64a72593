import { badRequest } from '../../kernel/errors.js';

// Go's time.ParseDuration units, in nanoseconds; `µs` (U+00B5) and `μs` (U+03BC) as Go spells them.
const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  '\u00b5s': 1e3,
  '\u03bcs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

// One `[0-9]*(\.[0-9]*)?unit` part, as Go reads them one after the other (unit: letters or µ/μ).
const PART = /([0-9]*)(?:\.([0-9]*))?([a-z\u00b5\u03bc]+)/y;

// Go refuses a duration beyond int64 nanoseconds (about 292 years).
const MAX_NS = 2 ** 63 - 1;

/**
 * Milliseconds in a duration as Go's time.ParseDuration reads it — signs, fractions and `µs`
 * included (`1.5h`, `.5m`, `-1h`, `1h30m`, `500µs`, a bare `0`) — rounded up to a whole
 * millisecond; undefined when Go would refuse `text`. Kratos reads the admin recovery
 * endpoints' `expires_in` so; the config's durations keep the schema's integer form
 * (kernel/duration.ts).
 */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let ns = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < rest.length) {
    const match = PART.exec(rest);
    if (match === null) return undefined;
    const [, whole = '', fraction, unit = ''] = match;
    const scale = UNIT_NS[unit];
    // A number needs a digit on one side of the point, and a unit Go knows.
    if (scale === undefined || (whole === '' && (fraction ?? '') === '')) return undefined;
    ns += Number(`${whole === '' ? '0' : whole}.${fraction ?? ''}0`) * scale;
  }
  if (!Number.isFinite(ns) || ns > MAX_NS) return undefined;
  return sign * Math.ceil(ns / 1e6);
}

/**
 * The lifespan an admin asked for (`expires_in`), else `fallbackMs`, as Kratos's
 * createRecoveryCodeForIdentity / createRecoveryLinkForIdentity: a Go duration, and in the future.
 */
export function expiresInMs(expiresIn: string | undefined, fallbackMs: number): number {
  if (expiresIn === undefined || expiresIn === '') return fallbackMs;
  const ms = parseGoDuration(expiresIn);
  if (ms === undefined) {
    throw badRequest(
      `Unable to parse "expires_in" whose format should match "[0-9]+(ns|us|ms|s|m|h)" but did not: ${expiresIn}`,
    );
  }
  if (ms <= 0) throw badRequest(`Value from "expires_in" must result to a future time: ${expiresIn}`);
  return ms;
}
