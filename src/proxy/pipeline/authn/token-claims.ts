/** The strings of a claim that may be one string or an array (`aud`); other values are dropped. */
export function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The scopes of a JSON Web Token as Oathkeeper's scope() reads them (credentials/
 * verifier_default.go): only the FIRST of `scp`, `scope`, `scopes` present counts, even when it
 * is null; a string is split on single spaces ("" grants none), a list keeps its strings (other
 * entries become ""), anything else grants none. `key` is the claim read, "" when none is there.
 */
export function jwtScopes(claims: Readonly<Record<string, unknown>>): { scopes: string[]; key: string } {
  const key = ['scp', 'scope', 'scopes'].find((name) => Object.hasOwn(claims, name));
  if (key === undefined) return { scopes: [], key: '' };
  const value = claims[key];
  if (typeof value === 'string') return { scopes: value === '' ? [] : value.split(' '), key };
  if (Array.isArray(value)) return { scopes: value.map((s) => (typeof s === 'string' ? s : '')), key };
  return { scopes: [], key };
}

/**
 * The scopes of an RFC 7662 introspection answer as Oathkeeper reads them: its `scope` string
 * split on spaces (`strings.Split`, so "" is [""]); `scp`, `scopes` and a non-string `scope`
 * grant nothing.
 */
export function introspectedScopes(body: Readonly<Record<string, unknown>>): string[] {
  return typeof body.scope === 'string' ? body.scope.split(' ') : [];
}

/**
 * Why an introspected token's `exp` (seconds since the epoch) makes it unusable at `nowMs`, as
 * Oathkeeper's oauth2_introspection Authenticate checks it: `exp > 0 && time.Unix(exp, 0)
 * .Before(now)`, with no leeway (usable up to the `exp` instant itself). `nbf` is not looked
 * at. Undefined when the token may be used.
 */
export function introspectionExpiry(
  claims: Readonly<Record<string, unknown>>,
  nowMs: number,
): string | undefined {
  const { exp } = claims;
  if (typeof exp === 'number' && exp > 0 && Math.trunc(exp) * 1000 < nowMs) return 'Access token expired';
  return undefined;
}
