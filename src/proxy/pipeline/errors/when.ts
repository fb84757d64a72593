import { BlockList, isIP } from 'node:net';
import type { PipelineError } from '../errors.js';
import type { PipelineRequest } from '../session.js';
import { requestHeader } from '../session.js';

/**
 * One `when` clause of an error handler, as Oathkeeper's `errors.When` decodes it
 * (pipeline/errors/when.go).
 */
export interface WhenClause {
  error?: string[];
  request?: WhenRequest;
}

export interface WhenRequest {
  /**
   * Allowed by Oathkeeper's config schema but decoded into nothing by its `WhenRequest`
   * struct, so Oathkeeper ignores it: a `cidr`-only clause matches every client. Kept, and
   * ignored, so configs that set it behave the same here.
   */
  cidr?: string[];
  /**
   * What Oathkeeper's matcher really reads. Its config schema (vendored here unchanged) has
   * no such key and refuses it, so configs cannot reach this; it is matched as Oathkeeper
   * would for the day the schema allows it.
   */
  remote_ip?: { match?: string[]; respect_forwarded_for_header?: boolean };
  header?: { content_type?: string[]; accept?: string[] };
}

/**
 * A condition could not be evaluated (a malformed request `Content-Type`, a bad CIDR).
 * Oathkeeper then stops looking for a handler and answers 500, so this is not "no match".
 */
export class WhenConditionError extends Error {
  override readonly name = 'WhenConditionError';
}

/** stringsx.Coalesce's stand-in for a missing Content-Type or Accept header. */
const OCTET_STREAM = 'application/octet-stream';

/**
 * Whether the handler is responsible (Oathkeeper's MatchesWhen): no clauses, or any clause
 * whose `error` list (empty: any) names the error and whose `request` conditions all hold.
 * Clauses are tried in order; a condition that cannot be evaluated throws
 * {@link WhenConditionError} as soon as it is reached.
 */
export function matchesWhen(
  when: readonly WhenClause[] | undefined,
  request: PipelineRequest,
  error: PipelineError,
): boolean {
  if (when === undefined || when.length === 0) return true;
  return when.some((clause) => matchesError(clause.error, error) && matchesRequest(clause.request, request));
}

/**
 * Oathkeeper compares the names to `statusText(status)` (`not_found`, `internal_server_error`);
 * every PipelineError kind is exactly that name for its status.
 */
function matchesError(names: readonly string[] | undefined, error: PipelineError): boolean {
  return names === undefined || names.length === 0 || names.includes(error.kind);
}

/** Content-Type, then Accept, then remote IP, as when.go's matchesRequest orders them. */
function matchesRequest(conditions: WhenRequest | undefined, request: PipelineRequest): boolean {
  if (conditions === undefined) return true;
  const contentTypes = conditions.header?.content_type ?? [];
  if (contentTypes.length > 0 && !matchesAcceptMIME(requestContentTypes(request), contentTypes)) return false;
  const accepts = conditions.header?.accept ?? [];
  if (accepts.length > 0 && !matchesAcceptMIME(headerOrOctetStream(request, 'accept'), accepts)) return false;
  return matchesRemoteIp(conditions.remote_ip, request);
}

function headerOrOctetStream(request: PipelineRequest, name: string): string {
  const value = requestHeader(request, name);
  return value === undefined || value === '' ? OCTET_STREAM : value;
}

// Oathkeeper's matchesAcceptMIME: true when any media range of the request's list matches any
// configured one. `q` values are ignored (even `q=0`). A configured `*/*` matches anything and a
// configured `type/*` matches that type; a wildcard the request sends is read literally and
// matches only the same wildcard configured, so a browser's `*/*;q=0.8` does not make an
// `application/json` handler responsible. Comparison is case-sensitive, as in Oathkeeper.
// (Line comments: a block comment would end at the first star-slash.)
export function matchesAcceptMIME(requestList: string, configured: readonly string[]): boolean {
  const wanted = parseAcceptList(configured.join(','));
  return parseAcceptList(requestList).some((actual) => wanted.some((range) => rangeMatches(actual, range)));
}

function rangeMatches(actual: string, configured: string): boolean {
  if (configured === '*/*') return true;
  if (configured.endsWith('/*') && configured.slice(0, -2) === actual.split('/')[0]) return true;
  return actual === configured;
}

/** RFC 2616 token characters plus `/`, and linear whitespace, as golang/gddo reads them. */
const TOKEN_SLASH = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~/]*/;
const SPACE = /^[ \t\r\n]*/;
/** gddo's expectQuality: `0` or `1`, then optionally `.` and digits. */
const QUALITY = /^[01](?:\.[0-9]*)?/;

// golang/gddo's header.ParseAccept, values only. Like gddo it stops at the first range with a
// parameter other than `q` (or an unreadable `q`), dropping that range and all after it:
// Chrome's `...,*/*;q=0.8,application/signed-exchange;v=b3;q=0.9` ends before the last one.
export function parseAcceptList(header: string): string[] {
  const values: string[] = [];
  let rest = header;
  for (;;) {
    const value = TOKEN_SLASH.exec(rest)?.[0] ?? '';
    if (value === '') return values;
    rest = skipSpace(rest.slice(value.length));
    if (rest.startsWith(';')) {
      rest = skipSpace(rest.slice(1));
      const quality = rest.startsWith('q=') ? QUALITY.exec(rest.slice(2)) : null;
      if (quality === null) return values;
      rest = rest.slice(2 + quality[0].length);
    }
    values.push(value);
    rest = skipSpace(rest);
    if (!rest.startsWith(',')) return values;
    rest = skipSpace(rest.slice(1));
  }
}

function skipSpace(s: string): string {
  return s.slice(SPACE.exec(s)?.[0].length ?? 0);
}

/**
 * when.go's clearMIMEParams: each comma-separated Content-Type, through Go's
 * mime.ParseMediaType (lower-cased, parameters dropped), joined again. A value Go refuses is a
 * {@link WhenConditionError}, as Oathkeeper then answers 500.
 */
export function requestContentTypes(request: PipelineRequest): string {
  return headerOrOctetStream(request, 'content-type').split(',').map(parseMediaType).join(', ');
}

/** Go's mime token: printable ASCII except tspecials `()<>@,;:\"/[]?=`. */
const MIME_TOKEN = "[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+";
const MEDIA_TYPE = new RegExp(`^${MIME_TOKEN}(?:/${MIME_TOKEN})?$`);
const LEADING_MIME_TOKEN = new RegExp(`^${MIME_TOKEN}`);
/** `; name=value`, value a token or a quoted string (a backslash escapes only a tspecial). */
const MEDIA_PARAM = new RegExp(
  `\\s*;\\s*(${MIME_TOKEN})\\s*=\\s*(${MIME_TOKEN}|"(?:\\\\[()<>@,;:\\\\"/\\[\\]?=]|\\\\(?![()<>@,;:\\\\"/\\[\\]?=])|[^"\\\\\\r\\n])*")`,
  'y',
);

/** Go's mime.ParseMediaType, reduced to what clearMIMEParams keeps: the media type, or why not. */
function parseMediaType(value: string): string {
  const semicolon = value.indexOf(';');
  const base = semicolon === -1 ? value : value.slice(0, semicolon);
  const mediaType = base.toLowerCase().trim();
  if (!MEDIA_TYPE.test(mediaType)) throw new WhenConditionError(mediaTypeProblem(mediaType));
  checkMediaParams(value.slice(base.length));
  return mediaType;
}

/** The message Go's checkMediaTypeDisposition gives for a media type MEDIA_TYPE refused. */
function mediaTypeProblem(mediaType: string): string {
  const type = LEADING_MIME_TOKEN.exec(mediaType)?.[0] ?? '';
  if (type === '') return 'mime: no media type';
  const rest = mediaType.slice(type.length);
  if (!rest.startsWith('/')) return 'mime: expected slash after first token';
  const subtype = LEADING_MIME_TOKEN.exec(rest.slice(1))?.[0] ?? '';
  if (subtype === '') return 'mime: expected token after slash';
  return 'mime: unexpected content after media subtype';
}

/** Go accepts one trailing `;` and a repeated parameter only with the same value. */
function checkMediaParams(params: string): void {
  const seen = new Map<string, string>();
  MEDIA_PARAM.lastIndex = 0;
  while (params.slice(MEDIA_PARAM.lastIndex).trim() !== '') {
    const at = MEDIA_PARAM.lastIndex;
    const match = MEDIA_PARAM.exec(params);
    if (match === null) {
      if (params.slice(at).trim() === ';') return;
      throw new WhenConditionError('mime: invalid media parameter');
    }
    const name = (match[1] ?? '').toLowerCase();
    const value = unquote(match[2] ?? '');
    const previous = seen.get(name);
    if (previous !== undefined && previous !== value)
      throw new WhenConditionError('mime: duplicate parameter name');
    seen.set(name, value);
  }
}

/** Go compares parameter values decoded: `"x"` and `x` are the same value. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  return value.slice(1, -1).replace(/\\([()<>@,;:\\"/[\]?=])/g, '$1');
}

/**
 * when.go's remote IP condition: the client address (and, with `respect_forwarded_for_header`,
 * every X-Forwarded-For entry) inside any `match` CIDR. CIDRs are tried in order, so a bad one
 * fails only if no earlier one matched, as in Oathkeeper.
 */
function matchesRemoteIp(condition: WhenRequest['remote_ip'], request: PipelineRequest): boolean {
  const cidrs = condition?.match ?? [];
  if (cidrs.length === 0) return true;
  const addresses = [request.remoteAddress ?? ''];
  if (condition?.respect_forwarded_for_header === true) {
    const forwarded = requestHeader(request, 'x-forwarded-for') ?? '';
    if (forwarded !== '') addresses.push(...forwarded.split(',').map((entry) => entry.trim()));
  }
  return cidrs.some((cidr) => {
    const network = parseCidr(cidr);
    return addresses.some((address) => inNetwork(network, address));
  });
}

/** Go's net.ParseCIDR: `address/bits`, both required. */
function parseCidr(cidr: string): BlockList {
  const slash = cidr.indexOf('/');
  const address = cidr.slice(0, slash);
  const bits = cidr.slice(slash + 1);
  const family = isIP(address);
  const max = family === 4 ? 32 : 128;
  if (slash === -1 || family === 0 || !/^[0-9]+$/.test(bits) || Number(bits) > max)
    throw new WhenConditionError(`invalid CIDR address: ${cidr}`);
  const network = new BlockList();
  network.addSubnet(address, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  return network;
}

/** An IPv4-mapped IPv6 address counts as its IPv4 address, as Go's IPNet.Contains does. */
function inNetwork(network: BlockList, address: string): boolean {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const family = isIP(plain);
  return family !== 0 && network.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}
