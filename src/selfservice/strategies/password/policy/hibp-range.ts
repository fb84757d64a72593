/**
 * The Have I Been Pwned range protocol (k-anonymity): only the first five hex characters of the
 * password's SHA-1 leave the process; the answer lists every known suffix under that prefix with
 * its count, and the match happens here.
 */
import { createHash } from 'node:crypto';

/** The SHA-1 of a password split at the k-anonymity boundary, upper-case hex. */
export interface HashParts {
  /** First 5 hex characters: the only part sent. */
  prefix: string;
  /** Remaining 35 hex characters: matched locally. */
  suffix: string;
}

/** SHA-1 of the UTF-8 bytes of the password, split into prefix and suffix. */
export function hashParts(password: string): HashParts {
  // SHA-1 is what the HIBP corpus is keyed by; it protects nothing here.
  const hex = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
  return { prefix: hex.slice(0, 5), suffix: hex.slice(5) };
}

/** A parsed range: suffix -> count, padding (count 0) left out. */
export type RangeCounts = ReadonlyMap<string, number>;

/** A parsed range, or the first line that could not be read. */
export type ParsedRange = { ok: true; counts: RangeCounts } | { ok: false; line: string };

/**
 * Parses a range body: `SUFFIX:COUNT` lines separated by CRLF (LF accepted).
 *
 * - Lines with count 0 are the padding `Add-Padding: true` asks for and are dropped.
 * - A line without a colon counts as one breach: HIBP has answered so at times, and Kratos reads
 *   it the same way (ory/kratos#2145).
 * - Commas in a count are digit grouping and are ignored, as in Kratos.
 * - Any other count is a malformed answer.
 */
export function parseRange(body: string): ParsedRange {
  const counts = new Map<string, number>();
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    const suffix = (colon === -1 ? line : line.slice(0, colon)).trim().toUpperCase();
    const countText =
      colon === -1
        ? '1'
        : line
            .slice(colon + 1)
            .trim()
            .replaceAll(',', '');
    if (!/^\d+$/.test(countText)) return { ok: false, line };
    const count = Number(countText);
    if (count === 0) continue;
    counts.set(suffix, (counts.get(suffix) ?? 0) + count);
  }
  return { ok: true, counts };
}
