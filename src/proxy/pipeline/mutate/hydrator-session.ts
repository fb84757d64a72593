import { canonicalHeaderKey } from '../../template/index.js';
import { isPlainObject } from '../../template/values.js';
import type { AuthenticationSession } from '../session.js';

/**
 * Oathkeeper's AuthenticationSession on the wire, as Go's encoding/json writes it:
 * `{subject, extra, header, match_context: {regexp_capture_groups, url, method, header}}`, where
 * headers are `{"Canonical-Name": ["value", ...]}` (sorted) and `url` is Go's url.URL struct.
 */
export function encodeSession(session: AuthenticationSession): string {
  const mc = session.matchContext;
  return JSON.stringify({
    subject: session.subject,
    extra: session.extra,
    header: goHeader(Object.entries(session.header)),
    match_context: {
      regexp_capture_groups: [...mc.regexpCaptureGroups],
      url: goUrl(mc.url),
      method: mc.method,
      header: goHeader(Object.entries(mc.header)),
    },
  });
}

/** What a hydrator answer replaces; `matchContext` fields only when the answer carries them. */
export interface HydratedSession {
  subject: string;
  extra: Record<string, unknown>;
  header: Record<string, string>;
  matchContext: Partial<AuthenticationSession['matchContext']>;
}

/** Thrown inside decodeSession only; its message is the reason shown by a verbose error handler. */
class Malformed extends Error {}

/** Reads a hydrator answer; Go would refuse the same shapes when decoding into the struct. */
export function decodeSession(
  text: string,
): { ok: true; session: HydratedSession } | { ok: false; reason: string } {
  try {
    const body: unknown = JSON.parse(text);
    if (!isPlainObject(body)) throw new Malformed('the answer is not a JSON object');
    const subject = body.subject ?? '';
    if (typeof subject !== 'string') throw new Malformed('subject is not a string');
    const extra = body.extra ?? {};
    if (!isPlainObject(extra)) throw new Malformed('extra is not an object');
    const header = Object.fromEntries(
      Object.entries(headerValues(body.header, 'header')).map(([k, v]) => [k, v[0] ?? '']),
    );
    return { ok: true, session: { subject, extra, header, matchContext: matchContext(body.match_context) } };
  } catch (error) {
    if (error instanceof Malformed || error instanceof SyntaxError)
      return { ok: false, reason: error.message };
    throw error;
  }
}

function matchContext(raw: unknown): HydratedSession['matchContext'] {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new Malformed('match_context is not an object');
  const out: HydratedSession['matchContext'] = {};
  const groups = raw.regexp_capture_groups;
  if (groups !== undefined && groups !== null)
    out.regexpCaptureGroups = strings(groups, 'regexp_capture_groups');
  if (raw.method !== undefined && raw.method !== null) {
    if (typeof raw.method !== 'string') throw new Malformed('match_context.method is not a string');
    out.method = raw.method;
  }
  if (raw.url !== undefined && raw.url !== null) out.url = fromGoUrl(raw.url);
  if (raw.header !== undefined && raw.header !== null) {
    // The pipeline keeps request headers as Node does: lower-case names.
    const values = headerValues(raw.header, 'match_context.header');
    out.header = Object.fromEntries(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  }
  return out;
}

function strings(raw: unknown, what: string): string[] {
  if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'string'))
    throw new Malformed(`${what} is not a list of strings`);
  return raw;
}

/** Go's http.Header: canonical names to lists of strings; `null` is empty. */
function headerValues(raw: unknown, what: string): Record<string, string[]> {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new Malformed(`${what} is not an object`);
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(raw)) {
    const key = canonicalHeaderKey(name);
    // JSON.parse makes `__proto__` an own key; assigning it would swap the object's prototype.
    if (values === null || key === '__proto__') continue;
    out[key] = strings(values, `${what}.${name}`);
  }
  return out;
}

function goHeader(
  entries: Array<[string, string | readonly string[] | undefined]>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const key = canonicalHeaderKey(name);
    if (value === undefined || key === '__proto__') continue;
    out[key] = [...(out[key] ?? []), ...(typeof value === 'string' ? [value] : value)];
  }
  return out;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Go's url.URL fields: Path is decoded; RawPath only when the encoding is not the default one. */
function goUrl(url: URL): Record<string, unknown> {
  const path = decoded(url.pathname);
  return {
    Scheme: url.protocol.slice(0, -1),
    Opaque: '',
    User: null,
    Host: url.host,
    Path: path,
    RawPath: encodeURI(path) === url.pathname ? '' : url.pathname,
    OmitHost: false,
    ForceQuery: false,
    RawQuery: url.search.slice(1),
    Fragment: decoded(url.hash.slice(1)),
    RawFragment: '',
  };
}

function fromGoUrl(raw: unknown): URL {
  if (!isPlainObject(raw)) throw new Malformed('match_context.url is not an object');
  const field = (name: string): string => (typeof raw[name] === 'string' ? (raw[name] as string) : '');
  const path = field('RawPath') !== '' ? field('RawPath') : field('Path');
  const query = field('RawQuery');
  const fragment = field('Fragment');
  try {
    return new URL(
      `${field('Scheme')}://${field('Host')}${path}${query === '' ? '' : `?${query}`}${fragment === '' ? '' : `#${fragment}`}`,
    );
  } catch {
    throw new Malformed('match_context.url is not a URL');
  }
}
