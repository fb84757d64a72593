import { MultiMap, TemplateUrl } from '../template/index.js';

/** The request as the pipeline sees it; the decision API and the reverse proxy build it. */
export interface PipelineRequest {
  method: string;
  /** The full URL that was matched (scheme, host, normalised path, query). */
  url: URL;
  /** Request headers, lower-case names (Node's IncomingHttpHeaders shape). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** `<...>` capture groups of the rule's regexp match (empty for glob rules). */
  captureGroups: readonly string[];
  /** Client address, for error handlers' `when.request.cidr`. */
  remoteAddress?: string;
}

/** Oathkeeper's AuthenticationSession. */
export interface AuthenticationSession {
  subject: string;
  extra: Record<string, unknown>;
  /** Headers for the upstream, set by mutators; canonical names (`X-User-Email`). */
  header: Record<string, string>;
  matchContext: {
    regexpCaptureGroups: readonly string[];
    url: URL;
    method: string;
    header: PipelineRequest['headers'];
  };
}

export function newSession(request: PipelineRequest): AuthenticationSession {
  return {
    subject: '',
    extra: {},
    header: {},
    matchContext: {
      regexpCaptureGroups: request.captureGroups,
      url: request.url,
      method: request.method,
      header: request.headers,
    },
  };
}

/** A request header's first value (names are matched case-insensitively). */
export function requestHeader(request: PipelineRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value[0];
}

/** Cookies of the request, in order; the first value wins for a repeated name. */
export function requestCookies(request: PipelineRequest): Map<string, string> {
  const cookies = new Map<string, string>();
  const raw = request.headers.cookie;
  const lines = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
  for (const line of lines) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      const name = part.slice(0, eq).trim();
      if (name !== '' && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
    }
  }
  return cookies;
}

/**
 * The data templates see, with Go's field names: `.Subject`, `.Extra`, `.Header`,
 * `.MatchContext.RegexpCaptureGroups`, `.MatchContext.URL`, `.MatchContext.Method`,
 * `.MatchContext.Header` (`.Get "X"`).
 */
export function templateData(session: AuthenticationSession): Record<string, unknown> {
  const requestHeaders = Object.entries(session.matchContext.header).flatMap(([k, v]) =>
    v === undefined ? [] : [[k, typeof v === 'string' ? [v] : [...v]] as const],
  );
  return {
    Subject: session.subject,
    Extra: session.extra,
    Header: new MultiMap(
      Object.entries(session.header).map(([k, v]) => [k, [v]] as const),
      true,
    ),
    MatchContext: {
      RegexpCaptureGroups: [...session.matchContext.regexpCaptureGroups],
      URL: new TemplateUrl(session.matchContext.url),
      Method: session.matchContext.method,
      Header: new MultiMap(requestHeaders, true),
    },
  };
}
