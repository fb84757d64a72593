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
  for (const have of granted) {
    if (have === needle) return true;
    if (strategy === 'exact') continue;
    const haveParts = have.split('.');
    const needParts = needle.split('.');
    if (strategy === 'hierarchic') {
      // `foo` grants `foo.bar`: every part of `have` is the same leading part of `needle`.
      if (haveParts.length > needParts.length) continue;
      if (haveParts.every((part, i) => part === needParts[i])) return true;
      continue;
    }
    // wildcard: same number of parts, `*` matches any one non-empty part.
    if (haveParts.length !== needParts.length) continue;
    if (haveParts.every((part, i) => part === needParts[i] || (part === '*' && (needParts[i] ?? '') !== '')))
      return true;
  }
  return false;
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
