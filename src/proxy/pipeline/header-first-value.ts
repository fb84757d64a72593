/**
 * One element of a header list: an RFC 9110 token (`120`, `user`) or nothing. Values that are
 * not lists of these (an HTTP date, Envoy's `X-RateLimit-Limit: 10, 10;w=60`) hold `, `
 * themselves, so a joined value made of them cannot be told apart from a single one.
 */
const LIST_ELEMENT = /^[!#$%&'*+.^_`|~0-9A-Za-z-]*$/;

/**
 * Go's http.Header.Get on an upstream answer's header: its first value. The outbound client
 * hands repeated headers over joined with `, ` (src/kernel/http-client.ts), so the first value
 * is taken back from that join when every element is a token or empty, which no single value
 * holding `, ` is. Otherwise the value is kept whole: it may be one value (a date), and only
 * the client's per-value list could say.
 */
export function firstHeaderValue(joined: string | undefined): string | undefined {
  if (joined === undefined || !joined.includes(', ')) return joined;
  const elements = joined.split(', ');
  return elements.every((element) => LIST_ELEMENT.test(element)) ? elements[0] : joined;
}
