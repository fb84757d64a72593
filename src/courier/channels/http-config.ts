import type { KratosConfigDocument } from '../../config/index.js';
import { type ConfigDoc, ConfigError, objectOrEmpty } from '../../config/index.js';
import {
  parseWebHookConfig,
  type WebHookAuth,
  WebHookConfigError,
} from '../../selfservice/hooks/web-hook/config.js';

/**
 * Kratos's default `courier.http.request_config.body` (the schema's default, applied by Kratos
 * when the key is unset): the recipient, template type, subject and plain-text body, and the
 * codes and links of `template_data` when present.
 */
export const KRATOS_DEFAULT_HTTP_BODY =
  'base64://ZnVuY3Rpb24oY3R4KSB7CiAgcmVjaXBpZW50OiBjdHgucmVjaXBpZW50LAogIHRlbXBsYXRlX3R5cGU6IGN0eC50ZW1wbGF0ZV90eXBlLAogIHRvOiBpZiAidGVtcGxhdGVfZGF0YSIgaW4gY3R4ICYmICJ0byIgaW4gY3R4LnRlbXBsYXRlX2RhdGEgdGhlbiBjdHgudGVtcGxhdGVfZGF0YS50byBlbHNlIG51bGwsCiAgcmVjb3ZlcnlfY29kZTogaWYgInRlbXBsYXRlX2RhdGEiIGluIGN0eCAmJiAicmVjb3ZlcnlfY29kZSIgaW4gY3R4LnRlbXBsYXRlX2RhdGEgdGhlbiBjdHgudGVtcGxhdGVfZGF0YS5yZWNvdmVyeV9jb2RlIGVsc2UgbnVsbCwKICByZWNvdmVyeV91cmw6IGlmICJ0ZW1wbGF0ZV9kYXRhIiBpbiBjdHggJiYgInJlY292ZXJ5X3VybCIgaW4gY3R4LnRlbXBsYXRlX2RhdGEgdGhlbiBjdHgudGVtcGxhdGVfZGF0YS5yZWNvdmVyeV91cmwgZWxzZSBudWxsLAogIHZlcmlmaWNhdGlvbl91cmw6IGlmICJ0ZW1wbGF0ZV9kYXRhIiBpbiBjdHggJiYgInZlcmlmaWNhdGlvbl91cmwiIGluIGN0eC50ZW1wbGF0ZV9kYXRhIHRoZW4gY3R4LnRlbXBsYXRlX2RhdGEudmVyaWZpY2F0aW9uX3VybCBlbHNlIG51bGwsCiAgdmVyaWZpY2F0aW9uX2NvZGU6IGlmICJ0ZW1wbGF0ZV9kYXRhIiBpbiBjdHggJiYgInZlcmlmaWNhdGlvbl9jb2RlIiBpbiBjdHgudGVtcGxhdGVfZGF0YSB0aGVuIGN0eC50ZW1wbGF0ZV9kYXRhLnZlcmlmaWNhdGlvbl9jb2RlIGVsc2UgbnVsbCwKICBzdWJqZWN0OiBjdHguc3ViamVjdCwKICBib2R5OiBjdHguYm9keQp9Cg==';

/** How the evaluated template goes on the wire, chosen by the `Content-Type` header as in Kratos. */
export type HttpBodyEncoding = 'json' | 'form';

/** A `request_config` (of `courier.http` or of a `courier.channels` entry), read as Kratos reads it (request/config.go). */
export interface CourierHttpConfig {
  /** Where it was configured (`courier.http.request_config`, `courier.channels[0].request_config`), for errors. */
  readonly path: string;
  readonly url: string;
  readonly method: string;
  /** The configured headers, with `Content-Type: application/json` added when none is set. */
  readonly headers: Readonly<Record<string, string>>;
  /** The Jsonnet template; Kratos's default when unset; undefined for TRACE, which has no body. */
  readonly bodyUri: string | undefined;
  readonly encoding: HttpBodyEncoding;
  readonly auth: WebHookAuth | undefined;
}

/** The id Kratos gives the SMS channel, which is also what an address's `via` names. */
export const SMS_CHANNEL_ID = 'sms';

/** `courier.delivery_strategy`: `smtp` (Kratos's default) or `http`. */
export function deliveryStrategy(document: Pick<KratosConfigDocument, 'courier'>): 'smtp' | 'http' {
  return objectOrEmpty(document.courier).delivery_strategy === 'http' ? 'http' : 'smtp';
}

/**
 * Reads one `request_config` (url, method, headers, body, auth — the fields of a web hook's
 * config, read by the web hook's parser). What Kratos would only refuse when a message is sent
 * is refused here, at start: no URL (`missingUrl` says why one is needed), or a `Content-Type`
 * other than JSON or form encoding for a request with a body. An unset body is the schema's
 * default (`httpRequestConfig.body`), Kratos's default template.
 */
function parseRequestConfig(raw: ConfigDoc, path: string, missingUrl: string): CourierHttpConfig {
  if (typeof raw.url !== 'string' || !/^https?:\/\/./i.test(raw.url)) {
    throw new ConfigError([{ path: `${path}.url`, message: `${missingUrl} (an http:// or https:// URL)` }]);
  }
  let parsed: ReturnType<typeof parseWebHookConfig>;
  try {
    parsed = parseWebHookConfig(raw);
  } catch (error) {
    if (!(error instanceof WebHookConfigError)) throw error;
    throw new ConfigError([{ path: `${path}.auth`, message: error.message.replace(/^web_hook: /, '') }]);
  }
  const headers: Record<string, string> = { ...parsed.headers };
  const contentTypeName = Object.keys(headers).find((name) => name.toLowerCase() === 'content-type');
  if (contentTypeName === undefined) headers['Content-Type'] = 'application/json';
  const contentType = (contentTypeName === undefined ? 'application/json' : (headers[contentTypeName] ?? ''))
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  // Kratos sends no body with TRACE only; every other method gets the evaluated template.
  const hasBody = parsed.method !== 'TRACE';
  let encoding: HttpBodyEncoding = 'json';
  if (contentType === 'application/x-www-form-urlencoded') encoding = 'form';
  else if (contentType !== 'application/json' && hasBody) {
    throw new ConfigError([
      {
        path: `${path}.headers`,
        message:
          'Content-Type must be application/json or application/x-www-form-urlencoded for a request with a body (as in Kratos)',
      },
    ]);
  }
  return {
    path,
    url: parsed.url,
    method: parsed.method,
    headers,
    bodyUri: hasBody ? (parsed.bodyUri ?? KRATOS_DEFAULT_HTTP_BODY) : undefined,
    encoding,
    auth: parsed.auth,
  };
}

/** `courier.http.request_config`, for `courier.delivery_strategy: http`. */
export function courierHttpConfig(document: Pick<KratosConfigDocument, 'courier'>): CourierHttpConfig {
  const raw = objectOrEmpty(objectOrEmpty(objectOrEmpty(document.courier).http).request_config);
  return parseRequestConfig(
    raw,
    'courier.http.request_config',
    'is required with courier.delivery_strategy http',
  );
}

/**
 * The SMS channel: the first `courier.channels` entry with id `sms`, as Kratos looks channels
 * up by id; undefined when there is none (Kratos then fails every SMS at send time: "no courier
 * channels configured for: sms"). Its `type` must be `http`, the only type Kratos's schema
 * allows there: a missing one, which Kratos would refuse at every send, stops the start.
 */
export function courierSmsChannelConfig(
  document: Pick<KratosConfigDocument, 'courier'>,
): CourierHttpConfig | undefined {
  const channels = objectOrEmpty(document.courier).channels;
  if (!Array.isArray(channels)) return undefined;
  const index = channels.findIndex((channel) => objectOrEmpty(channel).id === SMS_CHANNEL_ID);
  if (index < 0) return undefined;
  const channel = objectOrEmpty(channels[index]);
  const path = `courier.channels[${index}]`;
  if (channel.type !== 'http') {
    throw new ConfigError([
      { path: `${path}.type`, message: 'must be http (the only channel type Kratos allows)' },
    ]);
  }
  return parseRequestConfig(
    objectOrEmpty(channel.request_config),
    `${path}.request_config`,
    'is required for the sms channel',
  );
}
