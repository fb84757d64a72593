/** Leeway for `exp`, `nbf` and `iat`, for clocks a little apart. */
export const CLOCK_TOLERANCE_S = 10;

/** The strings of a claim that may be one string or an array (`aud`); other values are dropped. */
export function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Scopes a token grants: `scp` (array or space-separated), `scope`, `scopes`. */
export function grantedScopes(claims: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const name of ['scp', 'scope', 'scopes']) {
    const value = claims[name];
    if (typeof value === 'string') out.push(...value.split(' ').filter((s) => s !== ''));
    else if (Array.isArray(value)) out.push(...value.filter((s): s is string => typeof s === 'string'));
  }
  return out;
}

/**
 * Why a token's `exp` / `nbf` (seconds since the epoch) make it unusable at `nowMs`, with
 * {@link CLOCK_TOLERANCE_S} of leeway; undefined when they do not (or are absent).
 */
export function lifetimeRefusal(
  claims: Readonly<Record<string, unknown>>,
  nowMs: number,
): string | undefined {
  const { exp, nbf } = claims;
  if (typeof exp === 'number' && (exp + CLOCK_TOLERANCE_S) * 1000 <= nowMs) return 'token is expired';
  if (typeof nbf === 'number' && (nbf - CLOCK_TOLERANCE_S) * 1000 > nowMs) return 'token is not valid yet';
  return undefined;
}
