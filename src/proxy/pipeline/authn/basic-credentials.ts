import { type PipelineRequest, requestHeader } from '../session.js';

export interface BasicCredentials {
  username: string;
  password: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The request's HTTP Basic credentials, read as Go's Request.BasicAuth does: scheme `Basic`
 * in any case, strict padded base64, split at the first colon. Undefined when there are none.
 */
export function basicCredentials(request: PipelineRequest): BasicCredentials | undefined {
  const header = requestHeader(request, 'authorization') ?? '';
  if (header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const encoded = header.slice(6);
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Go's url.QueryUnescape (`+` is a space, `%XX` must be valid): OAuth 2.0 clients form-encode
 * their id and secret before HTTP Basic (RFC 6749 §2.3.1). Undefined when `text` is malformed.
 */
export function formUnescape(text: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return undefined;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
