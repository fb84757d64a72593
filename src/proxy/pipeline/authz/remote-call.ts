import type { OutboundHttp } from '../../../kernel/http-client.js';
import { type CompiledTemplate, canonicalHeaderKey } from '../../template/index.js';
import { forbidden, internalError, type PipelineError } from '../errors.js';
import type { PipelineDeps, Prepared, StepResult } from '../handler.js';
import { compileTemplateMap, renderTemplateMap } from '../mutate/templates.js';
import { afterAttempts, exchangeWithRetry, prepareRetry, type RetryPolicy } from '../retry.js';
import { type AuthenticationSession, type PipelineRequest, requestHeader } from '../session.js';

/** RFC 9110 token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What `remote` and `remote_json` share: where to ask, which headers to send and keep, retries. */
export interface RemoteAuthorizerConfig {
  http: OutboundHttp;
  remote: string;
  /** `headers` templates by lower-case name. */
  headers: Array<[string, CompiledTemplate]>;
  /** `forward_response_headers_to_upstream`, canonical names. */
  forwardResponseHeaders: string[];
  retry: RetryPolicy;
}

/**
 * `replayableBody`: whether Oathkeeper's request can send its body again on a 307/308 redirect
 * (`remote_json` builds it from a buffer; `remote` streams the client's body, so it cannot).
 */
export function prepareRemoteAuthorizer(
  raw: Record<string, unknown>,
  deps: PipelineDeps,
  replayableBody: boolean,
): Prepared<RemoteAuthorizerConfig> {
  let remote: URL;
  try {
    remote = new URL(String(raw.remote));
  } catch {
    return { ok: false, message: 'remote is not an absolute URL' };
  }
  if (remote.protocol !== 'http:' && remote.protocol !== 'https:')
    return { ok: false, message: 'remote must be an http or https URL' };
  const headers = compileTemplateMap('header', raw.headers);
  if (!headers.ok) return headers;
  const badName = headers.config.find(([name]) => !HEADER_NAME.test(name));
  if (badName !== undefined)
    return { ok: false, message: `header "${badName[0]}" is not a valid header name` };
  const retry = prepareRetry(raw.retry);
  if (!retry.ok) return retry;
  const forward = (raw.forward_response_headers_to_upstream as string[] | undefined) ?? [];
  return {
    ok: true,
    config: {
      http: replayableBody ? deps.http : (deps.httpWithoutBodyReplay ?? deps.http),
      remote: remote.href,
      headers: headers.config.map(([name, template]) => [name.toLowerCase(), template]),
      forwardResponseHeaders: [...new Set(forward.map(canonicalHeaderKey))],
      retry: retry.config,
    },
  };
}

/**
 * The headers of the call: `Content-Type`, the client's `Authorization` (as Oathkeeper
 * forwards it), then the rendered `headers` templates, which win over both. A template that
 * renders "" is not sent at all (Oathkeeper's "Don't send empty headers"), so a conditional
 * template never blanks the forwarded `Authorization`.
 */
export function remoteRequestHeaders(
  request: PipelineRequest,
  session: AuthenticationSession,
  config: RemoteAuthorizerConfig,
  contentType: string | undefined,
): { kind: 'ok'; headers: Record<string, string> } | { kind: 'error'; error: PipelineError } {
  const headers: Record<string, string> = {};
  if (contentType !== undefined && contentType !== '') headers['content-type'] = contentType;
  const authorization = requestHeader(request, 'authorization');
  if (authorization !== undefined && authorization !== '') headers.authorization = authorization;
  const rendered = renderTemplateMap(config.headers, session);
  if (rendered.kind === 'error') return rendered;
  for (const [name, value] of rendered.values) if (value !== '') headers[name] = value;
  return { kind: 'ok', headers };
}

/**
 * POSTs to `remote` and reads the verdict as Oathkeeper does: 200 allows, 403 forbids, anything
 * else (after retries) is a 500. On 200 each `forward_response_headers_to_upstream` header is
 * set for the upstream — to `""` when the remote did not send it, so a client cannot supply it.
 * A 429 is retried like a 5xx and, if it persists, is a 500 too: Oathkeeper's code turns a 429
 * into a 429 with the rate-limit headers, but its go-retryablehttp client retries a 429 and,
 * out of attempts, returns an error instead of the answer, so that branch is never reached.
 */
export async function askRemote(
  session: AuthenticationSession,
  config: RemoteAuthorizerConfig,
  headers: Record<string, string>,
  body: Buffer | string,
): Promise<StepResult> {
  const result = await exchangeWithRetry(
    config.http,
    { url: config.remote, method: 'POST', headers, body },
    config.retry,
  );
  if (result.kind === 'failed')
    return {
      kind: 'error',
      error: internalError(`remote authorizer: ${result.reason}${afterAttempts(result)}`),
    };
  const { status, headers: answer } = result.response;
  if (status === 403) return { kind: 'error', error: forbidden() };
  if (status !== 200) {
    const reason = `remote authorizer: expected status code 200 but got ${status}${afterAttempts(result)}`;
    return { kind: 'error', error: internalError(reason) };
  }
  // The pipeline collects the upstream's headers in the session (Oathkeeper's session.SetHeader).
  for (const name of config.forwardResponseHeaders) session.header[name] = answer[name.toLowerCase()] ?? '';
  return { kind: 'ok' };
}
