/**
 * Request URL normalisation before rule matching. The normalised URL is both what rules
 * match and what the upstream receives, so a path can never mean one thing to the matcher
 * and another to the upstream. Tricks that could make the two disagree are refused, not
 * guessed at.
 */

/** Why a URL was refused (answer 400; 414 for `too_long`). */
export type UrlRejectionReason =
  | 'too_long'
  | 'invalid'
  | 'unsupported_scheme'
  | 'invalid_host'
  | 'backslash'
  | 'nul'
  | 'control_character'
  | 'encoded_slash'
  | 'encoded_dot_segment'
  | 'invalid_percent_encoding'
  | 'fragment';

export interface NormalisedUrl {
  /** `http` or `https`, lower case. */
  readonly scheme: string;
  /** Lower-case host name (IDNs in punycode, no trailing dot); IPv6 in brackets. */
  readonly hostname: string;
  /** Empty when the scheme's default port. */
  readonly port: string;
  /** `hostname[:port]`. */
  readonly host: string;
  /** Dot segments resolved, repeated slashes merged, unreserved characters decoded. */
  readonly path: string;
  /** `?...` as received (minus nothing), or empty. */
  readonly query: string;
  /** `scheme://host/path` (no query): what rule patterns are matched against, as Oathkeeper. */
  readonly matchTarget: string;
  /** `scheme://host/path?query`. */
  readonly href: string;
}

export type NormaliseResult =
  | { readonly ok: true; readonly url: NormalisedUrl }
  | { readonly ok: false; readonly reason: UrlRejectionReason; readonly message: string };

/** Longest URL accepted (scheme, host, path and query). */
export const DEFAULT_MAX_URL_LENGTH = 4096;

export interface NormaliseOptions {
  readonly maxLength?: number;
}

/**
 * The schemes a request URL may have, with their default ports. `ws` and `wss` are what Traefik
 * sends as X-Forwarded-Proto for a WebSocket upgrade; Oathkeeper's decision API takes the header
 * as the scheme and matches it against the rules as it is (`<https|wss>://app/<**>`).
 */
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ws: '80', wss: '443' };
const UNRESERVED = /[A-Za-z0-9\-._~]/;
// Characters left as they are in a path: unreserved, sub-delims, ':', '@', '/', and '%' (checked apart).
const PATH_KEEP = /[A-Za-z0-9\-._~!$&'()*+,;=:@/%]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const HOST_FORBIDDEN = /[\s/\\?#@%<>^|"`{}]/;

/** Normalises an absolute `http(s)://host/path?query` (or `ws(s)://`) URL. */
export function normaliseUrl(url: string, options: NormaliseOptions = {}): NormaliseResult {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#\\]*)(.*)$/s.exec(url);
  if (match === null) return reject('invalid', 'not an absolute URL');
  const [, scheme = '', authority = '', rest = ''] = match;
  return normaliseRequestTarget({ scheme, host: authority, target: rest === '' ? '/' : rest }, options);
}

/**
 * Normalises a request as a server sees it: scheme, Host header and request-target
 * (`/path?query`, origin-form).
 */
export function normaliseRequestTarget(
  request: { readonly scheme: string; readonly host: string; readonly target: string },
  options: NormaliseOptions = {},
): NormaliseResult {
  const maxLength = options.maxLength ?? DEFAULT_MAX_URL_LENGTH;
  if (request.scheme.length + request.host.length + request.target.length + 3 > maxLength)
    return reject('too_long', `URL longer than ${maxLength} characters`);

  const scheme = request.scheme.toLowerCase();
  const defaultPort = DEFAULT_PORTS[scheme];
  if (defaultPort === undefined)
    return reject('unsupported_scheme', 'only http, https, ws and wss URLs are accepted');

  const host = normaliseHost(request.host, scheme, defaultPort);
  if (!host.ok) return host;

  const target = request.target;
  if (target.includes('#')) return reject('fragment', 'a request URL cannot carry a #fragment');
  const queryAt = target.indexOf('?');
  const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
  const query = queryAt < 0 ? '' : target.slice(queryAt);
  const queryProblem = checkRaw(query);
  if (queryProblem !== undefined) return queryProblem;
  if (!rawPath.startsWith('/')) return reject('invalid', 'the path must start with /');

  const path = normalisePath(rawPath);
  if (!path.ok) return path;

  const origin = `${scheme}://${host.host}`;
  return {
    ok: true,
    url: {
      scheme,
      hostname: host.hostname,
      port: host.port,
      host: host.host,
      path: path.path,
      query,
      matchTarget: `${origin}${path.path}`,
      href: `${origin}${path.path}${query}`,
    },
  };
}

type HostResult =
  | { ok: true; hostname: string; port: string; host: string }
  | { ok: false; reason: UrlRejectionReason; message: string };

/**
 * Hosts normalised lately, by `scheme://raw`: a deployment sees a handful of hosts, and each
 * costs a WHATWG URL parse. The answer depends on nothing else; bounded, oldest first out, so
 * made-up Host headers cannot grow it.
 */
const knownHosts = new Map<string, HostResult>();
const KNOWN_HOSTS = 256;

function normaliseHost(raw: string, scheme: string, defaultPort: string): HostResult {
  const key = `${scheme}://${raw}`;
  const known = knownHosts.get(key);
  if (known !== undefined) return known;
  const result = parseHost(raw, scheme, defaultPort);
  if (knownHosts.size >= KNOWN_HOSTS) {
    const oldest = knownHosts.keys().next();
    if (!oldest.done) knownHosts.delete(oldest.value);
  }
  knownHosts.set(key, result);
  return result;
}

function parseHost(raw: string, scheme: string, defaultPort: string): HostResult {
  if (raw === '' || HOST_FORBIDDEN.test(raw) || hasControl(raw))
    return reject('invalid_host', 'invalid host');
  let parsed: URL;
  try {
    parsed = new URL(`${scheme}://${raw}/`);
  } catch {
    return reject('invalid_host', 'invalid host');
  }
  // WHATWG lower-cases, punycodes and canonicalises IPv4; strip the root label's trailing dot.
  let hostname = parsed.hostname;
  if (hostname.endsWith('.') && !hostname.startsWith('[')) hostname = hostname.slice(0, -1);
  if (hostname === '' || hostname.endsWith('.')) return reject('invalid_host', 'invalid host');
  const port = parsed.port === defaultPort ? '' : parsed.port;
  return { ok: true, hostname, port, host: port === '' ? hostname : `${hostname}:${port}` };
}

type PathResult = { ok: true; path: string } | { ok: false; reason: UrlRejectionReason; message: string };

/**
 * A path that normalisation leaves as it is: only characters kept verbatim (no `%`), no empty
 * segment but a trailing one, no `.` or `..` segment. Most request paths are like this.
 */
const ALREADY_NORMAL = /^(?=\/)(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~!$&'()*+,;=:@]+)*\/?$/;

function normalisePath(raw: string): PathResult {
  if (ALREADY_NORMAL.test(raw)) return { ok: true, path: raw };
  const problem = checkRaw(raw);
  if (problem !== undefined) return problem;

  // Segment by segment: decode unreserved escapes, upper-case the others, encode what must be.
  const output: string[] = [];
  const segments = raw.split('/').slice(1);
  for (const [position, segment] of segments.entries()) {
    const decoded = normaliseSegment(segment);
    if (!decoded.ok) return decoded;
    const last = position === segments.length - 1;
    if (decoded.segment === '.' || decoded.segment === '..') {
      if (decoded.segment !== segment)
        return reject('encoded_dot_segment', 'encoded dots form a dot segment');
      if (decoded.segment === '..') output.pop();
      if (last) output.push('');
      continue;
    }
    // Merge repeated slashes (`//admin` is `/admin`), but keep a trailing slash.
    if (decoded.segment === '' && !last) continue;
    output.push(decoded.segment);
  }
  return { ok: true, path: `/${output.join('/')}` };
}

type SegmentResult =
  | { ok: true; segment: string }
  | { ok: false; reason: UrlRejectionReason; message: string };

function normaliseSegment(segment: string): SegmentResult {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const codePoint = segment.codePointAt(i) ?? 0;
    const char = String.fromCodePoint(codePoint);
    if (codePoint > 0xffff) i++;
    if (char === '%') {
      const hex = segment.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex))
        return reject('invalid_percent_encoding', 'invalid percent-encoding');
      const code = Number.parseInt(hex, 16);
      const decoded = String.fromCharCode(code);
      if (code === 0x2f) return reject('encoded_slash', 'encoded slash (%2F) in the path');
      if (code === 0x5c) return reject('backslash', 'encoded backslash (%5C) in the path');
      if (code === 0) return reject('nul', 'encoded NUL (%00) in the path');
      if (code < 0x20 || code === 0x7f)
        return reject('control_character', 'encoded control character in the path');
      out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
      i += 2;
    } else if (PATH_KEEP.test(char)) {
      out += char;
    } else {
      out += encodeURIComponent(char);
    }
  }
  return { ok: true, segment: out };
}

function checkRaw(text: string): { ok: false; reason: UrlRejectionReason; message: string } | undefined {
  if (text.includes('\\')) return reject('backslash', 'backslash in the URL');
  if (text.includes('\0')) return reject('nul', 'NUL in the URL');
  if (hasControl(text)) return reject('control_character', 'control character in the URL');
  if (LONE_SURROGATE.test(text)) return reject('invalid', 'lone surrogate in the URL');
  return undefined;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function reject(
  reason: UrlRejectionReason,
  message: string,
): { ok: false; reason: UrlRejectionReason; message: string } {
  return { ok: false, reason, message };
}
