import type { Identity } from './model.js';
import { hasUsablePassword } from './usable-password.js';

/**
 * How many ways in the identity has, counted as Kratos's strategies count them
 * (CountActiveFirstFactorCredentials): a usable password with an identifier is one, and each
 * linked provider account (`provider:subject` among the oidc identifiers) is one more.
 */
export function countActiveFirstFactors(identity: Identity): number {
  const password = identity.credentials.password;
  let count =
    password !== undefined && password.identifiers.length > 0 && hasUsablePassword(identity) ? 1 : 0;
  const oidc = identity.credentials.oidc;
  const providers = oidc?.config.providers;
  if (oidc !== undefined && Array.isArray(providers)) {
    const identifiers = new Set(oidc.identifiers);
    // Each account once: one stored twice (before imports refused that) is still one way in, and
    // unlinking it removes both entries.
    const counted = new Set<string>();
    for (const entry of providers) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
      const { provider, subject } = entry as { provider?: unknown; subject?: unknown };
      // Kratos skips entries whose provider or subject is a single character or less.
      if (typeof provider !== 'string' || typeof subject !== 'string') continue;
      const identifier = `${provider}:${subject}`;
      if (provider.length > 1 && subject.length > 1 && identifiers.has(identifier)) counted.add(identifier);
    }
    count += counted.size;
  }
  return count;
}
