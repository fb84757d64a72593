/** Oathkeeper's `scope_strategy`: how a required scope is matched against the granted ones. */
export type ScopeStrategy = 'hierarchic' | 'exact' | 'wildcard' | 'none';

/** Reads `scope_strategy` from a validated handler config (the schema's enum; `none` when unset). */
export function scopeStrategyFromConfig(raw: unknown): ScopeStrategy {
  return (typeof raw === 'string' ? raw : 'none') as ScopeStrategy;
}

/** Whether `granted` scopes satisfy `needle` under the strategy (Ory fosite's semantics). */
export function scopeMatches(
  strategy: Exclude<ScopeStrategy, 'none'>,
  granted: readonly string[],
  needle: string,
): boolean {
  if (strategy === 'wildcard') return wildcardMatches(granted, needle);
  for (const have of granted) {
    if (have === needle) return true;
    if (strategy === 'exact') continue;
    // hierarchic: `foo` grants `foo.bar`: every part of `have` is the same leading part of `needle`.
    const haveParts = have.split('.');
    const needParts = needle.split('.');
    if (haveParts.length > needParts.length) continue;
    if (haveParts.every((part, i) => part === needParts[i])) return true;
  }
  return false;
}

/**
 * fosite's WildcardScopeStrategy (scope_strategy.go), step by step: `*` matches one non-empty
 * segment; the matcher and the needle must have as many segments, except that a trailing `*`
 * also covers deeper needles (`orders.*` grants `orders.read` and `orders.read.all`, `*` grants
 * everything non-empty, but `orders.*` does not grant `orders`).
 */
function wildcardMatches(matchers: readonly string[], needle: string): boolean {
  const needleParts = needle.split('.');
  return matchers.some((matcher) => {
    const parts = matcher.split('.');
    if (parts.length > needleParts.length) return false;
    return parts.every((part, k) => {
      if (k === parts.length - 1 && parts.length !== needleParts.length && part !== '*') return false;
      const wanted = needleParts[k] ?? '';
      return (part === '*' && wanted.length > 0) || part === wanted;
    });
  });
}

/** The first of `required` that `granted` does not satisfy; undefined when all are (or strategy is none). */
export function missingScope(
  strategy: ScopeStrategy,
  granted: readonly string[],
  required: readonly string[],
): string | undefined {
  if (strategy === 'none') return undefined;
  return required.find((scope) => !scopeMatches(strategy, granted, scope));
}
