// Units of Go's time.ParseDuration, which Kratos's config durations use (`1h`, `15m`, `1h30m`),
// in nanoseconds so that the sum stays an exact integer (up to about 104 days).
const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

// The form Kratos's schema accepts: integer amounts only, no sign, no spaces.
const DURATION = /^(?:[0-9]+(?:ns|us|ms|s|m|h))+$/;
const PART = /([0-9]+)(ns|us|ms|s|m|h)/g;

/**
 * Milliseconds in a Kratos-style duration (`^([0-9]+(ns|us|ms|s|m|h))+$`), rounded up to a whole
 * millisecond; undefined when `text` is not one.
 */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let ns = 0;
  for (const [, amount, unit] of text.matchAll(PART))
    ns += Number(amount) * (UNIT_NS[unit ?? ''] ?? Number.NaN);
  return Number.isFinite(ns) ? Math.ceil(ns / 1e6) : undefined;
}
