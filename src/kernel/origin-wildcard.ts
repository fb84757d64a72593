/**
 * Which wildcard CORS origins are bounded, as Kratos (ory/x corsx) decides it: a pattern with a
 * `*` counts only when what follows the `*`, from its first `.` on and without a port, is a
 * registrable domain (an eTLD+1 or below it: the Public Suffix List with its private section, as
 * golang.org/x/net/publicsuffix). Otherwise the pattern would grant origins anyone can register:
 * `https://*.vercel.app`, `https://*foo.com` (also `evilfoo.com`), `https://*.com`,
 * `https://www.example.*`, `http://localhost:*`.
 *
 * Kratos skips such patterns (only Ory Network's grandfathered projects may turn that off with
 * `feature_flags.legacy_allow_insecure_origins`); Portcullis skips them too and says so at start.
 */
import { getPublicSuffix } from 'tldts';

/** Why `pattern` is not used, or undefined when it has no `*` or is a bounded wildcard. `*` alone is not a pattern. */
export function unboundedWildcardReason(pattern: string): string | undefined {
  const star = pattern.indexOf('*');
  if (pattern === '*' || star === -1) return undefined;
  const after = pattern.slice(star + 1).toLowerCase();
  if (after.includes('*')) return 'it has more than one "*"';
  const dot = after.indexOf('.');
  const domain = (dot === -1 ? '' : after.slice(dot + 1)).replace(/:\d*$/, '');
  if (domain === '' || domain.includes('/') || domain.includes(':'))
    return 'the "*" is not followed by a domain (write https://*.example.com)';
  if (getPublicSuffix(domain, { allowPrivateDomains: true }) === domain)
    return `"${domain}" is a public suffix: anyone can register a site under it`;
  return undefined;
}
