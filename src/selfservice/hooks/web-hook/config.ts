import { type ConfigDoc, nonEmptyString, objectOrEmpty } from '../../../config/index.js';

/** A `web_hook` hook's config, as Kratos's schema describes it (validated at start). */
export interface WebHookConfig {
  /** `id`: names the hook in logs. */
  readonly id: string | undefined;
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** `body`: where the Jsonnet template lives (`file://`, `base64://`, `http(s)://`); none sends no body. */
  readonly bodyUri: string | undefined;
  readonly auth: WebHookAuth | undefined;
  /**
   * `response.parse` or the deprecated `can_interrupt`: the hook runs before the flow saves, and
   * a 4xx answer's messages stop it.
   */
  readonly parse: boolean;
  /**
   * `response.parse` alone: a 200 answer is read too (an identity patch). With `can_interrupt`
   * only, Kratos ignores a 200's body, which need not even be JSON.
   */
  readonly parseSuccess: boolean;
  /** `response.ignore`: delivered in the background through the durable outbox. */
  readonly ignore: boolean;
  /**
   * `emit_analytics_event` (default true): as Kratos's instrumentHTTPClientForEvents, each call
   * carries `Ory-Webhook-Trigger-ID` (one per hook run, the same on retries) and
   * `Ory-Webhook-Request-ID` (one per attempt). Optional for configs built by hand (the
   * courier's HTTP channel), which send neither.
   */
  readonly emitAnalyticsEvent?: boolean;
}

export type WebHookAuth =
  | {
      readonly type: 'api_key';
      readonly name: string;
      readonly value: string;
      readonly in: 'header' | 'cookie';
    }
  | { readonly type: 'basic_auth'; readonly user: string; readonly password: string };

/** Thrown for a config the schema lets through but that cannot work. */
export class WebHookConfigError extends Error {
  override readonly name = 'WebHookConfigError';
}

/**
 * Reads one `web_hook` config. A body given as a bare path (deprecated in Kratos) is read as
 * `file://`. `ignore` together with `parse` or `can_interrupt` is refused, as Kratos refuses it.
 */
export function parseWebHookConfig(raw: Readonly<Record<string, unknown>>): WebHookConfig {
  const url = nonEmptyString(raw.url);
  if (url === undefined) throw new WebHookConfigError('web_hook: config.url is required');
  const response = objectOrEmpty(raw.response);
  const parseSuccess = response.parse === true;
  const parse = parseSuccess || raw.can_interrupt === true;
  const ignore = response.ignore === true;
  if (parse && ignore) {
    throw new WebHookConfigError(
      'web_hook: response.ignore cannot be combined with response.parse or can_interrupt',
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(objectOrEmpty(raw.headers))) {
    if (typeof value === 'string') headers[name] = value;
  }
  const body = nonEmptyString(raw.body);
  return {
    id: nonEmptyString(raw.id),
    url,
    method: (nonEmptyString(raw.method) ?? 'POST').toUpperCase(),
    headers,
    bodyUri:
      body === undefined ? undefined : /^(https?|file|base64):\/\//.test(body) ? body : `file://${body}`,
    auth: parseAuth(objectOrEmpty(raw.auth)),
    parse,
    parseSuccess,
    ignore,
    emitAnalyticsEvent: raw.emit_analytics_event !== false,
  };
}

function parseAuth(auth: ConfigDoc): WebHookAuth | undefined {
  const config = objectOrEmpty(auth.config);
  if (auth.type === 'api_key') {
    const name = nonEmptyString(config.name);
    const value = typeof config.value === 'string' ? config.value : undefined;
    if (name === undefined || value === undefined) {
      throw new WebHookConfigError('web_hook: auth api_key needs config.name and config.value');
    }
    return { type: 'api_key', name, value, in: config.in === 'cookie' ? 'cookie' : 'header' };
  }
  if (auth.type === 'basic_auth') {
    const user = typeof config.user === 'string' ? config.user : '';
    const password = typeof config.password === 'string' ? config.password : '';
    return { type: 'basic_auth', user, password };
  }
  return undefined;
}
