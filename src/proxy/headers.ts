/**
 * Which headers may cross the proxy, shared by proxy mode (forward.ts, reverse-proxy.ts,
 * upgrade.ts) and the decision API (decision.ts).
 */

/** Hop-by-hop headers (RFC 9110 7.6.1 plus the usual extras); never forwarded either way. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/**
 * Headers the proxy owns on the way upstream: the message's framing (`Content-Length`,
 * `Transfer-Encoding`), `Expect` (the listener has already answered `100 Continue` itself, and
 * undici refuses to send it) and `Host` (`preserve_host` decides it).
 */
const PROXY_OWNED: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'expect', 'host']);

/**
 * Whether a mutator (or `remote`'s `forward_response_headers_to_upstream`) may set a header:
 * not one the proxy owns, nor a hop-by-hop one. A rule that could set them could desync the
 * upstream's parser (request smuggling) or the gateway's reading of a decision answer.
 * Oathkeeper's decision API skips `Content-Length` for the same reason; Go's transport ignores
 * the others in proxy mode.
 */
export function isMutableHeader(lowerCaseName: string): boolean {
  return !HOP_BY_HOP.has(lowerCaseName) && !PROXY_OWNED.has(lowerCaseName);
}

/** The pipeline's headers (canonical names, as mutators set them) minus those it may not set. */
export function mutableHeaders(mutated: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(mutated))
    if (isMutableHeader(name.toLowerCase())) out[name] = wireHeaderValue(value);
  return out;
}

/** Anything but tab and printable ASCII: the rare values that need wireHeaderValue's work. */
const NOT_PLAIN = /[^\t\x20-\x7e]/;
/** What Node refuses in a header value (and Go writes as a space: CR and LF). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNWRITABLE = /[\x00-\x08\x0a-\x1f\x7f]/g;

/**
 * A mutated header value (a rendered template: a name such as `Łukasz 山田`, say) as Oathkeeper's
 * Go writes it: as UTF-8 bytes. Node writes a header string one byte per character (Latin-1)
 * and refuses characters above U+00FF, so the UTF-8 bytes are handed over as such a string;
 * control characters, which Node refuses and Go writes as spaces (CR, LF), become spaces.
 */
export function wireHeaderValue(value: string): string {
  if (!NOT_PLAIN.test(value)) return value;
  return Buffer.from(value.replace(UNWRITABLE, ' '), 'utf8').toString('latin1');
}

const NONE_LISTED: ReadonlySet<string> = new Set();

/** The lower-case header names a `Connection` header lists. */
export function listedInConnection(value: string | string[] | undefined): ReadonlySet<string> {
  // Most requests and answers have none: no set to build.
  if (value === undefined) return NONE_LISTED;
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== ''),
  );
}
