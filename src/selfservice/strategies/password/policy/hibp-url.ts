/** Where a range request goes: `haveibeenpwned_host` turned into a URL. */

/**
 * Parses `haveibeenpwned_host`. Kratos formats it into `https://<host>/range/<prefix>`, so a bare
 * host (with an optional port or path) means https; a value with a scheme is taken as a base URL,
 * which lets tests and plain-http mirrors use `http://127.0.0.1:<port>`.
 *
 * @returns the base URL without a trailing slash, or undefined when the value cannot be one.
 */
export function parseHibpBase(host: string): URL | undefined {
  const trimmed = host.trim();
  if (trimmed === '') return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  // Credentials, a query or a fragment would be mangled by appending /range/<prefix>.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return undefined;
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/** `<base>/range/<prefix>`, keeping any path the base has. */
export function rangeUrl(base: URL, prefix: string): URL {
  const url = new URL(base.href);
  url.pathname = `${base.pathname.replace(/\/+$/, '')}/range/${prefix}`;
  return url;
}
