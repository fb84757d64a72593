/**
 * The `return_to` validator: where a browser may be sent after a flow. It follows Kratos's
 * SecureRedirectTo (x/redir) and `selfservice.allowed_return_urls`, and is stricter where
 * Kratos is loose, because an open redirect on an identity server hands out phishing links
 * that start with a trusted origin.
 *
 * One rule makes it safe: the URL that is checked is the URL that is returned. The input is
 * parsed once with the WHATWG URL parser (what browsers run), the checks read that parsed
 * URL, and callers redirect to its `href`, so no second parser can see another host.
 */

import { getPublicSuffix } from 'tldts';
import { AppError } from './errors.js';

/** The settings, under Kratos's config keys. */
export interface ReturnToValidatorOptions {
  /** `selfservice.allowed_return_urls`. `*.` before the host allows its subdomains. */
  allowedReturnUrls: readonly string[];
  /** `selfservice.default_browser_return_url`; relative values resolve against `publicBaseUrl`. */
  defaultReturnUrl: string | URL;
  /** `serve.public.base_url`. */
  publicBaseUrl: string | URL;
}

/** An `allowed_return_urls` entry the validator does not use, and why (for a startup warning). */
export interface IgnoredReturnUrl {
  entry: string;
  reason: string;
}

/** Checks `return_to` values against the allow list. */
export interface ReturnToValidator {
  /**
   * The URL to send the browser to: the default when `returnTo` is absent or empty, else
   * `returnTo` itself, normalised, when it is allowed. Relative values resolve against the
   * default return URL, as in Kratos. Throws `self_service_flow_return_to_forbidden` (400)
   * otherwise.
   */
  resolve(returnTo: string | undefined): URL;
  /**
   * What a flow keeps of the `return_to` its init was asked with: nothing when it is absent or
   * empty (`return_to=`, as UIs that copy their own query send it; Kratos's flows omit it), else
   * `resolve`'s URL as text (throwing as `resolve` does).
   */
  requested(returnTo: string | undefined): string | null;
  /** Whether `resolve` would accept `returnTo`. */
  isAllowed(returnTo: string): boolean;
  /** Entries of `allowedReturnUrls` that were left out. */
  readonly ignored: readonly IgnoredReturnUrl[];
}

interface AllowRule {
  scheme: string;
  /** Lower-case host name, or for `*.example.com` the suffix `.example.com`. */
  host: string;
  subdomains: boolean;
  port: string;
  path: string;
  /** Only this path, not the ones below it. */
  exact: boolean;
}

// Schemes that run code or embed content where the browser lands; refused even when listed.
const SCRIPT_SCHEMES = new Set(['javascript', 'data', 'vbscript', 'blob']);

/**
 * Builds a validator from the config. Unusable allow-list entries are left out and listed in
 * `ignored`; a public base URL or default return URL that is not a URL throws a TypeError
 * (config validation should have caught it).
 */
export function createReturnToValidator(options: ReturnToValidatorOptions): ReturnToValidator {
  const publicBase = new URL(String(options.publicBaseUrl));
  const defaultUrl = new URL(String(options.defaultReturnUrl), publicBase);
  const ignored: IgnoredReturnUrl[] = [];
  const rules: AllowRule[] = [];
  for (const entry of options.allowedReturnUrls) {
    if (entry.trim() === '') continue;
    const rule = parseEntry(entry, defaultUrl);
    if (typeof rule === 'string') ignored.push({ entry, reason: rule });
    else rules.push(rule);
  }
  // Kratos always allows the public URL's /self-service endpoints (SecureRedirectAllowSelfServiceURLs);
  // the default return URL itself is where an absent return_to leads anyway.
  rules.push(ruleFor(new URL('self-service', withTrailingSlash(publicBase)), false));
  rules.push(ruleFor(defaultUrl, true));

  const check = (returnTo: string): URL | undefined => {
    const url = parseCandidate(returnTo, defaultUrl);
    return url !== undefined && rules.some((rule) => matches(rule, url)) ? url : undefined;
  };

  const resolve = (returnTo: string | undefined): URL => {
    if (returnTo === undefined || returnTo === '') return new URL(defaultUrl.href);
    const url = check(returnTo);
    if (url === undefined) throw returnToForbidden(describe(returnTo, defaultUrl));
    return url;
  };

  return {
    ignored,
    resolve,
    requested: (returnTo) =>
      returnTo === undefined || returnTo === '' ? null : resolve(returnTo).toString(),
    isAllowed: (returnTo) => returnTo === '' || check(returnTo) !== undefined,
  };
}

/** Kratos's error for a refused `return_to`: 400 with the URL quoted in the reason. */
export function returnToForbidden(url: string): AppError {
  return new AppError(
    'self_service_flow_return_to_forbidden',
    400,
    'The request was malformed or contained invalid parameters',
    // Go's %q of an ASCII string equals its JSON encoding.
    { reason: `Requested return_to URL ${JSON.stringify(url)} is not allowed.` },
  );
}

function parseEntry(entry: string, base: URL): AllowRule | string {
  const trimmed = entry.trim();
  let url: URL;
  try {
    url = new URL(trimmed, base);
  } catch {
    return 'not a URL';
  }
  if (url.username !== '' || url.password !== '') return 'contains a user name or password';
  if (SCRIPT_SCHEMES.has(scheme(url))) return `the ${scheme(url)}: scheme is never allowed`;
  const host = url.hostname.toLowerCase();
  if (!host.includes('*')) return ruleFor(url, false);
  // Kratos accepts `*` anywhere at the start (`*foo.com` also matches `evilfoo.com`); only a
  // whole leading label is a subdomain wildcard here.
  const suffix = host.slice(1);
  if (!host.startsWith('*.') || suffix.includes('*'))
    return 'a wildcard must be a whole leading label (*.example.com)';
  // As Kratos (golang.org/x/net/publicsuffix, private entries included): `*.com`, `*.co.uk` or
  // `*.github.io` would allow every site registered under that suffix.
  const domain = suffix.slice(1);
  if (getPublicSuffix(domain, { allowPrivateDomains: true }) === domain)
    return `a wildcard over the public suffix "${domain}" allows every site registered under it`;
  return { ...ruleFor(url, false), host: suffix, subdomains: true };
}

function ruleFor(url: URL, exact: boolean): AllowRule {
  return {
    scheme: scheme(url),
    host: url.hostname.toLowerCase(),
    subdomains: false,
    port: url.port,
    path: url.pathname,
    exact,
  };
}

/** The candidate as a URL, or `undefined` when it is refused before any allow-list rule is read. */
function parseCandidate(raw: string, base: URL): URL | undefined {
  if (hasControlCharacter(raw)) return undefined;
  const authority = rawAuthority(raw);
  // `user@host` and percent-escapes (`%2F`, `%5C`, `%40`) in the authority only serve to
  // make a URL read as one host and load another.
  if (authority !== undefined && /[@%]/.test(authority)) return undefined;
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return undefined;
  if (SCRIPT_SCHEMES.has(scheme(url)) || url.hostname.includes('*')) return undefined;
  // An escaped slash in the path is one segment here and two in an app that decodes first.
  if (/%(2f|5c)/i.test(url.pathname)) return undefined;
  return url;
}

/** The authority of an absolute or scheme-relative URL as written, backslashes read as slashes. */
function rawAuthority(raw: string): string | undefined {
  const text = raw.trim().replaceAll('\\', '/');
  return /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/([^/?#]*)/.exec(text)?.[1];
}

function matches(rule: AllowRule, url: URL): boolean {
  if (scheme(url) !== rule.scheme || url.port !== rule.port) return false;
  const host = url.hostname.toLowerCase();
  if (rule.subdomains) {
    const label = host.slice(0, -rule.host.length);
    if (!host.endsWith(rule.host) || label === '' || label.startsWith('.') || label.includes('..'))
      return false;
  } else if (host !== rule.host) {
    return false;
  }
  // Kratos treats an empty path as `/` on both sides.
  const path = url.pathname || '/';
  const allowed = rule.path || '/';
  if (rule.exact) return path === allowed;
  // Segment boundary: `/cb` allows `/cb` and `/cb/x`, not `/cbx` (Kratos compares raw prefixes).
  return path === allowed || path.startsWith(allowed.endsWith('/') ? allowed : `${allowed}/`);
}

/**
 * C0 controls and DEL. The URL parser silently drops tab and newline (`/\t/evil.com` becomes
 * `//evil.com`), so any of them means the text is meant to read differently than it loads.
 */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function scheme(url: URL): string {
  return url.protocol.slice(0, -1).toLowerCase();
}

function withTrailingSlash(url: URL): URL {
  const copy = new URL(url.href);
  if (!copy.pathname.endsWith('/')) copy.pathname += '/';
  return copy;
}

/** The refused URL as Kratos quotes it: absolute when it parses, as sent otherwise. */
function describe(raw: string, base: URL): string {
  try {
    return new URL(raw, base).href;
  } catch {
    return raw;
  }
}
