import type { JsonnetEvaluator } from '../../../jsonnet/index.js';
import { formEncode, isFormContentType } from '../../../kernel/form-body.js';
import type { WebHookConfig } from './config.js';
import type { HookContext } from './context.js';
import type { TemplateSource } from './templates.js';

export interface WebHookRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

export type BuiltRequest =
  | { kind: 'request'; request: WebHookRequest }
  /** The template called `error "cancel"`: this hook is skipped, the flow goes on. */
  | { kind: 'cancelled' }
  | { kind: 'failed'; reason: string };

/**
 * The HTTP request a web hook sends: the configured headers and auth, and the body the
 * Jsonnet template makes of `ctx` (none without a template).
 */
export async function buildWebHookRequest(
  deps: { jsonnet: JsonnetEvaluator; templates: TemplateSource },
  config: WebHookConfig,
  /** A flow hook's `ctx`, or another hook's (the password migration hook's `{identifier, password}`). */
  ctx: HookContext | Readonly<Record<string, unknown>>,
): Promise<BuiltRequest> {
  const headers: Record<string, string> = { ...config.headers };
  let body: string | null = null;
  if (config.bodyUri !== undefined) {
    let template: string;
    try {
      template = await deps.templates.load(config.bodyUri);
    } catch (error) {
      return { kind: 'failed', reason: `the body template could not be loaded: ${(error as Error).message}` };
    }
    const outcome = await deps.jsonnet.callFunction(template, { ctx });
    const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    const form = isFormContentType(contentType);
    switch (outcome.kind) {
      case 'ok':
        if (form) {
          // As Kratos's request builder: a form body is the template's object of strings, encoded.
          const encoded = formEncode(outcome.json);
          if (encoded === undefined)
            return { kind: 'failed', reason: 'a form-encoded body must be an object of strings' };
          body = encoded;
        } else {
          // The text libjsonnet printed, as Kratos posts it.
          body = outcome.json;
        }
        break;
      case 'cancelled':
        // Kratos honours "cancel" for JSON bodies only: for a form body it is a template error.
        if (form)
          return {
            kind: 'failed',
            reason: 'the body template raised "cancel", which a form body does not honour',
          };
        return { kind: 'cancelled' };
      case 'error':
        return { kind: 'failed', reason: `the body template failed: ${outcome.message}` };
      case 'timeout':
        return { kind: 'failed', reason: 'the body template ran out of time' };
      case 'resource_limit':
        return { kind: 'failed', reason: `the body template ran out of memory: ${outcome.message}` };
    }
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
  }
  const auth = config.auth;
  if (auth?.type === 'api_key') {
    if (auth.in === 'cookie') {
      const existing = headers.Cookie ?? headers.cookie;
      headers.Cookie = existing ? `${existing}; ${auth.name}=${auth.value}` : `${auth.name}=${auth.value}`;
    } else {
      headers[auth.name] = auth.value;
    }
  } else if (auth?.type === 'basic_auth') {
    headers.Authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  }
  return { kind: 'request', request: { url: config.url, method: config.method, headers, body } };
}
