/**
 * Go's `net/url.Parse` (Go 1.25), reduced to whether it accepts a string. ory/jsonschema's `uri`,
 * `iri`, `uri-reference`, `uriref`, `iri-reference` and `uri-template` formats are all defined by
 * it, so its quirks are the formats' semantics: it is lenient (spaces in a path, non-ASCII
 * anywhere but the user info, an empty host) and strict only about control characters, bad `%`
 * escapes, a scheme-less first segment with a colon, user info characters, ports and host
 * characters.
 */

/** What the formats need from a parsed URL. */
export interface GoUrl {
  /** Lower-cased scheme, empty for a relative reference. */
  scheme: string;
  /** The raw path (after the authority, before `?`); empty for opaque URLs like `mailto:x`. */
  rawPath: string;
}

type Mode = 'host' | 'zone' | 'other';

/** `url.Parse(raw)`: the parts the formats use, or undefined where Go returns an error. */
export function parseGoUrl(raw: string): GoUrl | undefined {
  const hash = raw.indexOf('#');
  const parsed = parseWithoutFragment(hash < 0 ? raw : raw.slice(0, hash));
  if (parsed === undefined) return undefined;
  // Go checks only the escapes of the fragment, not even its control characters.
  if (hash >= 0 && !unescapes(raw.slice(hash + 1), 'other')) return undefined;
  return parsed;
}

/** Format `uri` / `iri`: parses and is absolute (has a scheme). */
export function isGoUri(value: string): boolean {
  return (parseGoUrl(value)?.scheme ?? '') !== '';
}

/** Format `uri-reference` / `uriref` / `iri-reference`: parses. */
export function isGoUriReference(value: string): boolean {
  return parseGoUrl(value) !== undefined;
}

/**
 * Format `uri-template`: parses, and in every path segment the braces pair up without nesting.
 * (ory/jsonschema checks `RawPath`, which Go fills exactly when the path needs escaping, which
 * a brace does; a path without braces passes either way.)
 */
export function isGoUriTemplate(value: string): boolean {
  const url = parseGoUrl(value);
  if (url === undefined) return false;
  return url.rawPath.split('/').every((segment) => {
    let depth = 0;
    for (const ch of segment) {
      if (ch === '{') {
        depth += 1;
        if (depth !== 1) return false;
      } else if (ch === '}') {
        depth -= 1;
        if (depth !== 0) return false;
      }
    }
    return depth === 0;
  });
}

function parseWithoutFragment(raw: string): GoUrl | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Go refuses exactly these bytes.
  if (/[\u0000-\u001f\u007f]/.test(raw)) return undefined;
  if (raw === '*') return { scheme: '', rawPath: '*' };
  const split = splitScheme(raw);
  if (split === undefined) return undefined;
  const scheme = split.scheme.toLowerCase();
  let rest = split.rest;
  const question = rest.indexOf('?');
  if (question >= 0) rest = rest.slice(0, question);

  if (!rest.startsWith('/')) {
    // A rootless path after a scheme is opaque (`mailto:a@b`) and not looked at further.
    if (scheme !== '') return { scheme, rawPath: '' };
    // `cache_object:foo/bar` would otherwise read as a relative path.
    const firstSegment = rest.split('/', 1)[0] ?? '';
    if (firstSegment.includes(':')) return undefined;
  }
  if ((scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    if (!authorityParses(authority)) return undefined;
  }
  if (!unescapes(rest, 'other')) return undefined;
  return { scheme, rawPath: rest };
}

/** Go's `getScheme`: a scheme is letters, then letters, digits, `+`, `-`, `.`, ended by `:`. */
function splitScheme(raw: string): { scheme: string; rest: string } | undefined {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return { scheme: '', rest: raw };
      continue;
    }
    if (c === ':') {
      // "missing protocol scheme"
      if (i === 0) return undefined;
      return { scheme: raw.slice(0, i), rest: raw.slice(i + 1) };
    }
    return { scheme: '', rest: raw };
  }
  return { scheme: '', rest: raw };
}

function authorityParses(authority: string): boolean {
  const at = authority.lastIndexOf('@');
  if (!hostParses(at < 0 ? authority : authority.slice(at + 1))) return false;
  if (at < 0) return true;
  const userinfo = authority.slice(0, at);
  return /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo) && unescapes(userinfo, 'other');
}

function hostParses(host: string): boolean {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) return false;
    if (!validOptionalPort(host.slice(close + 1))) return false;
    const zone = host.slice(0, close).indexOf('%25');
    // Since Go 1.25.2 the brackets must hold an IPv6 address (CVE-2025-47912).
    if (!isGoIPv6(host.slice(1, zone >= 0 ? zone : close))) return false;
    if (zone >= 0) {
      return (
        unescapes(host.slice(0, zone), 'host') &&
        unescapes(host.slice(zone, close), 'zone') &&
        unescapes(host.slice(close), 'host')
      );
    }
  } else {
    // Since Go 1.25 the port starts at the first colon, so `localhost:80:80` fails.
    const colon = host.indexOf(':');
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) return false;
  }
  return unescapes(host, 'host');
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

/** Go's `unescape` without the result: `%` escapes well formed, host bytes allowed. */
function unescapes(s: string, mode: Mode): boolean {
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hi = hexValue(s[i + 1]);
      const lo = hexValue(s[i + 2]);
      if (hi === undefined || lo === undefined) return false;
      const escapedPercent = s.slice(i, i + 3) === '%25';
      // A host may %-encode only non-ASCII bytes.
      if (mode === 'host' && hi < 8 && !escapedPercent) return false;
      const byte = hi * 16 + lo;
      if (mode === 'zone' && !escapedPercent && byte !== 0x20 && hostNeedsEscape(byte)) return false;
      i += 3;
    } else {
      if (mode !== 'other' && c < 0x80 && hostNeedsEscape(c)) return false;
      i += 1;
    }
  }
  return true;
}

/** Go's `shouldEscape(c, encodeHost)`. */
function hostNeedsEscape(c: number): boolean {
  const ch = String.fromCharCode(c);
  return !/[A-Za-z0-9!$&'()*+,;=:[\]<>"\-_.~]/.test(ch);
}

function hexValue(ch: string | undefined): number | undefined {
  return ch !== undefined && /^[0-9A-Fa-f]$/.test(ch) ? Number.parseInt(ch, 16) : undefined;
}

/**
 * Go's `net.ParseIP(s)` for a string with a colon (`netip.ParseAddr`'s IPv6 grammar, no zone):
 * up to eight groups of at most four hex digits, one `::`, and an optional dotted IPv4 tail
 * without leading zeros in place of the last two groups.
 */
export function isGoIPv6(value: string): boolean {
  // ParseIP refuses zones, and an address without a colon is not IPv6.
  if (value.includes('%') || !value.includes(':')) return false;
  // netip.ParseAddr decides by the first '.' or ':' it meets.
  const first = value.search(/[.:]/);
  if (value[first] === '.') return false;

  let s = value;
  let filled = 0;
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return true;
  }
  while (filled < 16) {
    const digits = /^[0-9A-Fa-f]*/.exec(s)?.[0] ?? '';
    if (digits.length === 0 || digits.length > 4) return false;
    if (s[digits.length] === '.') {
      if (ellipsis < 0 && filled !== 12) return false;
      if (filled + 4 > 16) return false;
      if (!isGoIPv4Field(s)) return false;
      s = '';
      filled += 4;
      break;
    }
    filled += 2;
    s = s.slice(digits.length);
    if (s === '') break;
    if (s[0] !== ':' || s.length === 1) return false;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return false;
      ellipsis = filled;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return false;
  // Too short without `::`, or a `::` that stands for no group at all.
  return filled < 16 ? ellipsis >= 0 : ellipsis < 0;
}

/** netip's dotted IPv4: four decimal octets up to 255, no leading zeros. */
function isGoIPv4Field(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}
