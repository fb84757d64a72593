import { forbidden, unauthorized } from '../errors.js';
import { compileGjsonPath } from '../gjson.js';
import type {
  AuthnResult,
  MaybePromise,
  PipelineDeps,
  Prepared,
  SessionChecker,
  SessionCheckRequest,
  SessionCheckResult,
} from '../handler.js';
import type { PipelineRequest } from '../session.js';
import { requestHeader } from '../session.js';

/** The check_session_url options `cookie_session` and `bearer_token` share. */
export interface SessionCheckConfig {
  checkSessionUrl: URL;
  preservePath: boolean;
  preserveQuery: boolean;
  preserveHost: boolean;
  forceMethod: string | undefined;
  /** Request headers copied to the check (lower-case). */
  forwardHeaders: string[];
  additionalHeaders: Record<string, string>;
  subjectFrom: string;
  extraFrom: string;
  /** `subject_from` / `extra_from`, parsed when the rule loads. */
  subjectAt: (body: unknown) => unknown;
  extraAt: (body: unknown) => unknown;
  /** Runs the check for a request: in process when this process serves the URL, else over HTTP. */
  check: (request: PipelineRequest, config: SessionCheckConfig) => MaybePromise<SessionCheckResult>;
  /**
   * Subject and extra read from each `shared` answer body, kept for as long as that body (the
   * session's cache entry) lives: the GJSON paths run once per session, not once per request.
   */
  identified: WeakMap<object, Identified>;
}

/** What a session check establishes. */
interface Identified {
  subject: string;
  extra: Record<string, unknown>;
}

const CHECK_TIMEOUT_MS = 5_000;

/** Parses the shared options; binds the in-process checker when it serves the URL. */
export function prepareSessionCheck(
  raw: Record<string, unknown>,
  deps: PipelineDeps,
  defaults: { subjectFrom: string; alwaysForward: string[] },
): Prepared<SessionCheckConfig> {
  let url: URL;
  try {
    url = new URL(String(raw.check_session_url));
  } catch {
    return { ok: false, message: 'check_session_url is not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: 'check_session_url must be an http or https URL' };
  }
  const subjectFrom =
    typeof raw.subject_from === 'string' && raw.subject_from !== '' ? raw.subject_from : defaults.subjectFrom;
  const extraFrom = typeof raw.extra_from === 'string' && raw.extra_from !== '' ? raw.extra_from : 'extra';
  // A path this GJSON does not support fails the rule when it loads: answering with an empty
  // subject where Oathkeeper's full GJSON would find the real one must never happen.
  const subjectAt = compileGjsonPath(subjectFrom);
  if (!subjectAt.ok) return { ok: false, message: `subject_from: ${subjectAt.message}` };
  const extraAt = compileGjsonPath(extraFrom);
  if (!extraAt.ok) return { ok: false, message: `extra_from: ${extraAt.message}` };
  const forward = [...((raw.forward_http_headers as string[] | undefined) ?? []), ...defaults.alwaysForward];
  const inProcess = deps.sessionChecker?.handles(url) === true ? deps.sessionChecker : undefined;
  return {
    ok: true,
    config: {
      checkSessionUrl: url,
      preservePath: raw.preserve_path === true,
      preserveQuery: raw.preserve_query !== false,
      preserveHost: raw.preserve_host === true,
      forceMethod:
        typeof raw.force_method === 'string' && raw.force_method !== '' ? raw.force_method : undefined,
      forwardHeaders: [...new Set(forward.map((h) => h.toLowerCase()))],
      additionalHeaders: (raw.additional_headers as Record<string, string> | undefined) ?? {},
      subjectFrom,
      extraFrom,
      subjectAt: subjectAt.get,
      extraAt: extraAt.get,
      check: inProcess !== undefined ? inProcessCheck(inProcess) : (req, cfg) => remoteCheck(deps, req, cfg),
      identified: new WeakMap(),
    },
  };
}

/** A checker that reads only headers is given only those: the check URL is never built. */
function inProcessCheck(checker: SessionChecker): SessionCheckConfig['check'] {
  const { checkHeaders } = checker;
  if (checkHeaders !== undefined)
    return (request, cfg) => checkHeaders.call(checker, sessionCheckHeaders(request, cfg));
  return (request, cfg) => checker.check(sessionCheckRequest(request, cfg));
}

async function remoteCheck(
  deps: PipelineDeps,
  request: PipelineRequest,
  cfg: SessionCheckConfig,
): Promise<SessionCheckResult> {
  const req = sessionCheckRequest(request, cfg);
  try {
    const res = await deps.http.request({
      url: req.url.href,
      method: req.method,
      headers: req.headers,
      timeoutMs: CHECK_TIMEOUT_MS,
    });
    if (res.status !== 200) return { kind: 'rejected', status: res.status };
    try {
      return { kind: 'ok', body: JSON.parse(res.body.toString('utf8')) };
    } catch {
      return { kind: 'ok', body: undefined };
    }
  } catch (error) {
    return { kind: 'unavailable', reason: error instanceof Error ? error.message : 'session check failed' };
  }
}

/** Oathkeeper's forwardRequestToSessionStore: which URL, method and headers the check uses. */
export function sessionCheckRequest(request: PipelineRequest, cfg: SessionCheckConfig): SessionCheckRequest {
  const url = new URL(cfg.checkSessionUrl.href);
  if (!cfg.preservePath) url.pathname = request.url.pathname;
  if (!cfg.preserveQuery) url.search = request.url.search;
  return { method: cfg.forceMethod ?? request.method, url, headers: sessionCheckHeaders(request, cfg) };
}

/** The headers of the check: the forwarded ones that are set, then `additional_headers`, then the host. */
export function sessionCheckHeaders(
  request: PipelineRequest,
  cfg: SessionCheckConfig,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of cfg.forwardHeaders) {
    const value = requestHeader(request, name);
    if (value !== undefined && value !== '') headers[name] = value;
  }
  for (const [name, value] of Object.entries(cfg.additionalHeaders)) headers[name.toLowerCase()] = value;
  if (cfg.preserveHost) headers['x-forwarded-host'] = request.url.host;
  return headers;
}

/** Runs the check and reads subject and extra with the configured GJSON paths. */
export function checkSession(request: PipelineRequest, cfg: SessionCheckConfig): MaybePromise<AuthnResult> {
  const result = cfg.check(request, cfg);
  // An in-process check of a cached session answers at once: so does the authenticator then.
  return result instanceof Promise
    ? result.then((settled) => authenticated(settled, cfg))
    : authenticated(result, cfg);
}

/** The authenticator's answer to a check's result. */
function authenticated(result: SessionCheckResult, cfg: SessionCheckConfig): AuthnResult {
  if (result.kind === 'rejected') return { kind: 'error', error: unauthorized() };
  // Oathkeeper answers an unreachable session store with 403, not 401.
  if (result.kind === 'unavailable') return { kind: 'error', error: forbidden(result.reason) };
  const { body } = result;
  const keep = result.shared === true && typeof body === 'object' && body !== null;
  const kept = keep ? cfg.identified.get(body) : undefined;
  if (kept !== undefined) return { kind: 'authenticated', subject: kept.subject, extra: kept.extra };
  const read = identify(body, cfg);
  if (read.kind !== 'authenticated') return read;
  if (keep) cfg.identified.set(body, { subject: read.subject, extra: read.extra });
  return read;
}

/**
 * Subject and extra of a 200 answer, or why they are unusable (a 403, as in Oathkeeper). A path
 * that finds nothing gives the empty subject (or extra), as Oathkeeper's
 * `json.Unmarshal(Coalesce(gjson.GetBytes(body, path).Raw, "null"))` does.
 */
function identify(body: unknown, cfg: SessionCheckConfig): AuthnResult {
  const subject = cfg.subjectAt(body) ?? null;
  const extra = cfg.extraAt(body) ?? null;
  if (subject !== null && typeof subject !== 'string') {
    return {
      kind: 'error',
      error: forbidden(`The configured subject_from GJSON path "${cfg.subjectFrom}" did not return a string`),
    };
  }
  if (extra !== null && (typeof extra !== 'object' || Array.isArray(extra))) {
    return {
      kind: 'error',
      error: forbidden(`The configured extra_from GJSON path "${cfg.extraFrom}" did not return an object`),
    };
  }
  return {
    kind: 'authenticated',
    subject: subject ?? '',
    extra: (extra as Record<string, unknown> | null) ?? {},
  };
}
